import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin } from "@googleapis/admin";
import { JWT, OAuth2Client } from "google-auth-library";
import { afterAll, describe, expect, it } from "vitest";
import {
  createGoogleDirectorySource,
  googleClientSettings,
} from "../../../src/adapters/google/create-google-directory-source.js";
import {
  GoogleDirectorySource,
  googleDirectoryScopes,
} from "../../../src/adapters/google/google-directory-source.js";
import { ConfigurationError } from "../../../src/sync/errors.js";
import { startGoogleDirectoryEmulator } from "../../emulators/google-directory/emulator.js";
import { aRequest, sampleSnapshot } from "./google-test-kit.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const serviceAccount = {
  type: "service_account",
  project_id: "idc-sync-test",
  private_key_id: "key-1",
  private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  client_email: "idc-sync@idc-sync-test.iam.gserviceaccount.com",
  client_id: "100200300400500600700",
};
const keyJson = JSON.stringify(serviceAccount);
const folder = mkdtempSync(join(tmpdir(), "idc-sync-google-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("createGoogleDirectorySource resolving credentials", () => {
  it("names the variables and the file source when no credentials are set", () => {
    expect(() => createGoogleDirectorySource({})).toThrow(ConfigurationError);
    expect(() => createGoogleDirectorySource({})).toThrow(
      /GOOGLE_APPLICATION_CREDENTIALS .*GOOGLE_CREDENTIALS_JSON .*GOOGLE_ADMIN_EMAIL.*--source file:PATH/s,
    );
  });

  it("acts as GOOGLE_ADMIN_EMAIL with exactly the four read-only scopes from GOOGLE_CREDENTIALS_JSON", () => {
    const { auth, rootUrl } = googleClientSettings({
      GOOGLE_CREDENTIALS_JSON: keyJson,
      GOOGLE_ADMIN_EMAIL: "admin@example.com",
    });

    expect(auth).toBeInstanceOf(JWT);
    const jwt = auth as JWT;
    expect(jwt.subject).toBe("admin@example.com");
    expect(jwt.email).toBe(serviceAccount.client_email);
    expect(jwt.scopes).toEqual([
      "https://www.googleapis.com/auth/admin.directory.user.readonly",
      "https://www.googleapis.com/auth/admin.directory.group.readonly",
      "https://www.googleapis.com/auth/admin.directory.group.member.readonly",
      "https://www.googleapis.com/auth/admin.directory.orgunit.readonly",
    ]);
    expect(rootUrl).toBeUndefined();
  });

  it("reads the key file named by GOOGLE_APPLICATION_CREDENTIALS", () => {
    const path = join(folder, "key.json");
    writeFileSync(path, keyJson);

    const { auth } = googleClientSettings({
      GOOGLE_APPLICATION_CREDENTIALS: path,
      GOOGLE_ADMIN_EMAIL: "admin@example.com",
    });

    expect((auth as JWT).email).toBe(serviceAccount.client_email);
  });

  it("takes credentials handed over by the caller, as the Lambda does from Secrets Manager", () => {
    const { auth } = googleClientSettings({}, { key: serviceAccount, adminEmail: "ops-admin@example.com" });

    expect((auth as JWT).subject).toBe("ops-admin@example.com");
  });

  it("asks for GOOGLE_ADMIN_EMAIL when only the key is set", () => {
    expect(() => googleClientSettings({ GOOGLE_CREDENTIALS_JSON: keyJson })).toThrow(
      /GOOGLE_ADMIN_EMAIL is not set: the service account from GOOGLE_CREDENTIALS_JSON needs an admin to act as/,
    );
  });

  it("names an unreadable key file", () => {
    const path = join(folder, "missing.json");

    expect(() =>
      googleClientSettings({ GOOGLE_APPLICATION_CREDENTIALS: path, GOOGLE_ADMIN_EMAIL: "a@example.com" }),
    ).toThrow(new RegExp(`GOOGLE_APPLICATION_CREDENTIALS=${path}: cannot read the service-account key file`));
  });

  it("refuses a key that is not a service-account key", () => {
    const userCredentials = JSON.stringify({ type: "authorized_user", client_id: "x", refresh_token: "y" });

    expect(() =>
      googleClientSettings({ GOOGLE_CREDENTIALS_JSON: userCredentials, GOOGLE_ADMIN_EMAIL: "a@example.com" }),
    ).toThrow(/GOOGLE_CREDENTIALS_JSON: not a service-account key \(it is of type "authorized_user"\)/);
    expect(() =>
      googleClientSettings({ GOOGLE_CREDENTIALS_JSON: "{not json", GOOGLE_ADMIN_EMAIL: "a@example.com" }),
    ).toThrow(/GOOGLE_CREDENTIALS_JSON: the service-account key is not valid JSON/);
  });

  it("uses the static token and root URL meant for local testing before any key", () => {
    const { auth, rootUrl } = googleClientSettings({
      IDC_SYNC_GOOGLE_ROOT_URL: "http://127.0.0.1:8081",
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: "emulator-token",
      GOOGLE_CREDENTIALS_JSON: keyJson,
    });

    expect(auth).toBeInstanceOf(OAuth2Client);
    expect(auth).not.toBeInstanceOf(JWT);
    expect(auth.credentials.access_token).toBe("emulator-token");
    expect(rootUrl).toBe("http://127.0.0.1:8081/");
  });
});

describe("GoogleDirectorySource with a delegated service account", () => {
  /** The real JWT flow, with the token request sent to the emulator's token endpoint. */
  async function readWithDelegation(granted: { scopes: string[]; admins: string[] }, adminEmail: string) {
    const emulator = await startGoogleDirectoryEmulator({
      snapshot: sampleSnapshot(),
      delegation: {
        clientEmail: serviceAccount.client_email,
        publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        ...granted,
      },
    });
    try {
      const env = {
        GOOGLE_CREDENTIALS_JSON: keyJson,
        GOOGLE_ADMIN_EMAIL: adminEmail,
        IDC_SYNC_GOOGLE_ROOT_URL: emulator.url,
      };
      const { auth, rootUrl } = googleClientSettings(env);
      auth.transporter.interceptors.request.add({
        resolved: async (config) => {
          if (String(config.url).startsWith("https://oauth2.googleapis.com/token")) {
            config.url = new URL("token", emulator.url);
          }
          return config;
        },
      });
      const client = admin({ version: "directory_v1", auth, ...(rootUrl ? { rootUrl } : {}) });
      const source = new GoogleDirectorySource({ client, sleep: async () => {} });
      const directory = await source.readDirectory(aRequest());
      return { directory, counts: emulator.requestCounts() };
    } finally {
      await emulator.close();
    }
  }

  it("reads the directory when delegation grants the four scopes to the client id", async () => {
    const { directory, counts } = await readWithDelegation(
      { scopes: [...googleDirectoryScopes], admins: ["admin@example.com"] },
      "admin@example.com",
    );

    expect(directory.users).toHaveLength(5);
    expect(counts["/token"]).toBe(1);
  });

  it("explains unauthorized_client (a scope missing from delegation) as a ConfigurationError", async () => {
    const read = readWithDelegation(
      { scopes: googleDirectoryScopes.slice(0, 3), admins: ["admin@example.com"] },
      "admin@example.com",
    );

    await expect(read).rejects.toThrow(ConfigurationError);
    await expect(read).rejects.toThrow(/unauthorized_client.*Check that:.*exactly these scopes/s);
  });

  it("explains a subject that is not an admin of the domain as a ConfigurationError", async () => {
    const read = readWithDelegation(
      { scopes: [...googleDirectoryScopes], admins: ["admin@example.com"] },
      "nobody@example.com",
    );

    await expect(read).rejects.toThrow(ConfigurationError);
    await expect(read).rejects.toThrow(/invalid_grant: Invalid email or User ID/);
  });
});
