/**
 * The access report page's script, inlined into the page (plain ES2017, no library, no network). It
 * reads the JSON the page carries (`AccessHtmlData`), joins memberships and grants into paths exactly
 * as `src/access/paths.ts` does, and draws a virtualised matrix and people list: only rows and columns
 * in view are in the DOM. Written without template literals so it can live in this TypeScript string.
 *
 * Hooks for tests and tools: matrix cells carry `data-principal` and `data-account`, their chips
 * `data-permission-set` and `data-status`; people rows `data-person`; the details panel's path rows
 * `data-path` with `data-account`, `data-permission-set`, `data-via` and `data-status`. When the first
 * render is done, `document.body.dataset.ready` is "1" and `window.accessReportReadyAt` the time.
 */
export const accessClientScript = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("access-data").textContent);
  // Row and column sizes come from the stylesheet, so the two never disagree.
  var css = getComputedStyle(document.documentElement);
  var ROW = parseFloat(css.getPropertyValue("--row")) || 30, COL = parseFloat(css.getPropertyValue("--col")) || 130;
  var OVERSCAN = 4, MEMBER_LIMIT = 200;
  var S = data.statuses;
  var ACTUAL = { granted: true, unexplained: true, unmanaged: true };
  var DESIRED = { granted: true, pending: true };

  // ── Decode the compact rows ──
  var accounts = data.accounts.map(function (a, i) {
    return { index: i, id: a[0], name: a[1], label: a[2], status: a[3] };
  });
  var people = data.people.map(function (p, i) {
    return {
      index: i, key: p[0], name: p[1], aliases: p[2], origin: p[3], orgUnit: p[4], department: p[5],
      standing: p[6], icUser: p[7], haystack: (p[0] + " " + p[1] + " " + p[2] + " " + p[7]).toLowerCase()
    };
  });
  var principals = data.principals.map(function (p, i) {
    return {
      index: i, type: p[0], name: p[1], management: p[2], rule: p[3], description: p[4],
      membersKnown: p[5] === 1, person: p[6]
    };
  });
  var grants = [];
  for (var g = 0; g < data.grants.length; g += 5) {
    grants.push({
      index: grants.length, principal: data.grants[g], account: data.grants[g + 1],
      permissionSet: data.grants[g + 2], status: S[data.grants[g + 3]], sources: data.grants[g + 4]
    });
  }
  var memberships = [];
  for (var m = 0; m < data.memberships.length; m += 4) {
    memberships.push({
      index: memberships.length, group: data.memberships[m], person: data.memberships[m + 1],
      status: S[data.memberships[m + 2]], sources: data.memberships[m + 3]
    });
  }

  // ── Indexes ──
  function buckets(n) { var list = new Array(n); for (var i = 0; i < n; i++) list[i] = []; return list; }
  var grantsByPrincipal = buckets(principals.length);
  grants.forEach(function (grant) { grantsByPrincipal[grant.principal].push(grant); });
  var membershipsByPerson = buckets(people.length);
  var membershipsByGroup = buckets(principals.length);
  memberships.forEach(function (membership) {
    membershipsByPerson[membership.person].push(membership);
    membershipsByGroup[membership.group].push(membership);
  });
  /** Per group, how many memberships of each status: the row header shows the ones that need a look. */
  var memberCounts = membershipsByGroup.map(function (list) {
    var counts = {};
    list.forEach(function (membership) { counts[membership.status] = (counts[membership.status] || 0) + 1; });
    return counts;
  });
  var userPrincipal = new Int32Array(people.length).fill(-1);
  principals.forEach(function (principal) { if (principal.type === "U" && principal.person >= 0) userPrincipal[principal.person] = principal.index; });

  /** Same rule as pathStatus in src/access/paths.ts. */
  function pathStatus(membership, grant) {
    var isActual = ACTUAL[membership] && ACTUAL[grant];
    var isDesired = DESIRED[membership] && DESIRED[grant];
    if (isActual && isDesired) return "granted";
    if (isDesired) return "pending";
    if (!isActual) return null;
    return membership === "unexplained" || grant === "unexplained" ? "unexplained" : "unmanaged";
  }

  /** Same join and order as indexAccess(...).pathsOf in src/access/paths.ts. */
  function pathsOf(person) {
    var paths = [];
    membershipsByPerson[person].forEach(function (membership) {
      grantsByPrincipal[membership.group].forEach(function (grant) {
        var status = pathStatus(membership.status, grant.status);
        if (status) paths.push({ account: grant.account, permissionSet: grant.permissionSet, principal: membership.group, status: status, grant: grant, membership: membership });
      });
    });
    var own = userPrincipal[person];
    if (own >= 0) grantsByPrincipal[own].forEach(function (grant) {
      paths.push({ account: grant.account, permissionSet: grant.permissionSet, principal: own, status: grant.status, grant: grant, membership: null });
    });
    return paths.sort(function (a, b) { return a.account - b.account || a.permissionSet - b.permissionSet || a.principal - b.principal; });
  }

  // ── Small helpers ──
  function $(id) { return document.getElementById(id); }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function chip(status, text, attrs) {
    return '<span class="chip s-' + status + '" title="' + esc(data.statusWords[status]) + '"' + (attrs || "") + ">" + esc(text) + "</span>";
  }
  function personLabel(person) { return person.name && person.name !== person.key ? person.name + " <" + person.key + ">" : person.key; }
  function principalLabel(principal) {
    return principal.type === "G" ? principal.name : "user " + principal.name + " (direct)";
  }
  function managementTag(principal) {
    return principal.management === "managed" ? "" : '<span class="tag">' + esc(principal.management) + "</span>";
  }
  function standingText(person) { return data.standingWords[person.standing] || person.standing; }
  function standingShort(person) { return person.standing.split(":")[0]; }
  function sourceList(set) { return set < 0 ? [] : data.memberSourceSets[set]; }
  function grantSourceList(set) { return set < 0 ? [] : data.grantSourceSets[set]; }

  // ── Filters ──
  var els = {
    person: $("filter-person"), account: $("filter-account"), permissionSet: $("filter-permission-set"),
    status: $("filter-status"), form: $("filters"), count: $("filter-count"),
    body: $("matrix-body"), cells: $("matrix-cells"), rows: $("matrix-rows"), cols: $("matrix-cols"),
    matrixSize: $("matrix-size"), matrixEmpty: $("matrix-empty"), matrix: $("matrix"),
    people: $("people"), peopleRows: $("people-rows"), peopleSize: $("people-size"), details: $("details")
  };
  accounts.forEach(function (account) {
    var option = document.createElement("option");
    option.value = String(account.index); option.textContent = account.label; els.account.appendChild(option);
  });
  data.permissionSets.forEach(function (name, index) {
    var option = document.createElement("option");
    option.value = String(index); option.textContent = name; els.permissionSet.appendChild(option);
  });
  S.forEach(function (status) {
    var option = document.createElement("option");
    option.value = status; option.textContent = data.statusLabels[status]; els.status.appendChild(option);
  });
  var summary = data.summary;
  $("summary").textContent = summary.people + " people, " + summary.peopleWithAccess + " with access · " +
    summary.accounts + " accounts · paths: " + S.map(function (s) { return summary.paths[s] + " " + data.statusLabels[s]; }).join(", ");

  var state = { person: "", account: -1, permissionSet: -1, status: "" };
  var view = { rows: [], cols: [], cellsByRow: [], people: [] };

  function statusMatches(status) {
    if (!state.status) return true;
    if (state.status === "attention") return status !== "granted";
    return status === state.status;
  }
  /**
   * How many people reach through a grant with each path status (a grant can be granted while one
   * member's way through it is not explained). Computed when first needed, then kept.
   */
  var pathCountsCache = [];
  function pathCounts(grant) {
    var counts = pathCountsCache[grant.index];
    if (counts) return counts;
    counts = {};
    var principal = principals[grant.principal];
    if (principal.type === "U") counts[grant.status] = 1;
    else membershipsByGroup[principal.index].forEach(function (membership) {
      var status = pathStatus(membership.status, grant.status);
      if (status) counts[status] = (counts[status] || 0) + 1;
    });
    pathCountsCache[grant.index] = counts;
    return counts;
  }
  /** A grant passes the status filter by its own status or by the status of a path through it. */
  function grantMatches(grant, single) {
    if (state.account >= 0 && grant.account !== state.account) return false;
    if (state.permissionSet >= 0 && grant.permissionSet !== state.permissionSet) return false;
    if (!state.status || statusMatches(grant.status)) return true;
    if (single) return false;
    var counts = pathCounts(grant);
    return S.some(function (status) { return counts[status] && statusMatches(status); });
  }

  function recompute() {
    var query = state.person.trim().toLowerCase();
    var matching = null;
    if (query) {
      matching = [];
      for (var i = 0; i < people.length; i++) if (people[i].haystack.indexOf(query) >= 0) matching.push(i);
    }
    var allowed = null;
    if (matching) {
      allowed = new Uint8Array(grants.length);
      matching.forEach(function (person) {
        membershipsByPerson[person].forEach(function (membership) {
          grantsByPrincipal[membership.group].forEach(function (grant) {
            if (pathStatus(membership.status, grant.status)) allowed[grant.index] = 1;
          });
        });
        var own = userPrincipal[person];
        if (own >= 0) grantsByPrincipal[own].forEach(function (grant) { allowed[grant.index] = 1; });
      });
    }
    // One person: the cells show how that person reaches each account (the path's status), as explain does.
    var onePerson = matching && matching.length === 1 ? matching[0] : -1;
    var statusFor = null;
    if (onePerson >= 0) {
      statusFor = {};
      pathsOf(onePerson).forEach(function (path) { statusFor[path.grant.index] = path.status; });
    }
    var rowOf = new Int32Array(principals.length).fill(-1);
    var colOf = new Int32Array(accounts.length).fill(-1);
    var visible = [];
    grants.forEach(function (grant) {
      if (allowed && !allowed[grant.index]) return;
      var shown = statusFor ? { index: grant.index, principal: grant.principal, account: grant.account, permissionSet: grant.permissionSet, status: statusFor[grant.index], sources: grant.sources } : grant;
      if (grantMatches(shown, statusFor !== null)) visible.push(shown);
    });
    visible.forEach(function (grant) { rowOf[grant.principal] = 1; colOf[grant.account] = 1; });
    var rows = [], cols = [];
    for (var r = 0; r < principals.length; r++) if (rowOf[r] >= 0) { rowOf[r] = rows.length; rows.push(r); }
    for (var c = 0; c < accounts.length; c++) if (colOf[c] >= 0) { colOf[c] = cols.length; cols.push(c); }
    var cellsByRow = buckets(rows.length);
    var cellIndex = {};
    visible.forEach(function (grant) {
      var row = rowOf[grant.principal], col = colOf[grant.account], key = row + ":" + col;
      var cell = cellIndex[key];
      if (!cell) { cell = cellIndex[key] = { row: row, col: col, grants: [] }; cellsByRow[row].push(cell); }
      cell.grants.push(grant);
    });
    cellsByRow.forEach(function (cells) { cells.sort(function (a, b) { return a.col - b.col; }); });

    // People with a path that passes the filters: walk the grants that pass, then their members,
    // rather than every person's paths (at 50,000 people that is the difference between 1.5 s and 0.1 s).
    var filterPaths = state.account >= 0 || state.permissionSet >= 0 || state.status;
    var reach = null;
    if (filterPaths) {
      reach = new Uint8Array(people.length);
      grants.forEach(function (grant) {
        if (state.account >= 0 && grant.account !== state.account) return;
        if (state.permissionSet >= 0 && grant.permissionSet !== state.permissionSet) return;
        var principal = principals[grant.principal];
        if (principal.type === "U") {
          if (statusMatches(grant.status)) reach[principal.person] = 1;
          return;
        }
        membershipsByGroup[principal.index].forEach(function (membership) {
          var status = pathStatus(membership.status, grant.status);
          if (status && statusMatches(status)) reach[membership.person] = 1;
        });
      });
    }
    var list = [];
    var total = matching ? matching.length : people.length;
    for (var k = 0; k < total; k++) {
      var person = matching ? matching[k] : k;
      if (!reach || reach[person]) list.push(person);
    }
    view = { rows: rows, cols: cols, cellsByRow: cellsByRow, people: list, onePerson: onePerson };
    layout();
    if (query && matching.length === 1) showPerson(matching[0]);
  }

  function layout() {
    var width = view.cols.length * COL, height = view.rows.length * ROW;
    els.cells.style.width = width + "px"; els.cells.style.height = height + "px";
    els.cols.style.width = width + "px"; els.rows.style.height = height + "px";
    els.matrix.hidden = view.rows.length === 0;
    els.matrixEmpty.hidden = view.rows.length > 0;
    els.matrixSize.textContent = view.rows.length + " groups and users × " + view.cols.length + " accounts";
    els.peopleSize.textContent = view.people.length + " of " + people.length;
    els.peopleRows.style.height = view.people.length * ROW + "px";
    els.count.textContent = "";
    els.body.scrollTop = 0; els.body.scrollLeft = 0; els.people.scrollTop = 0;
    renderMatrix(); renderPeople();
  }

  // ── Matrix: only the rows and columns in view ──
  function windowOf(start, size, unit, count) {
    var first = Math.max(0, Math.floor(start / unit) - OVERSCAN);
    var last = Math.min(count, Math.ceil((start + size) / unit) + OVERSCAN);
    return [first, last];
  }
  function renderMatrix() {
    var top = els.body.scrollTop, left = els.body.scrollLeft;
    var rowWindow = windowOf(top, els.body.clientHeight || 600, ROW, view.rows.length);
    var colWindow = windowOf(left, els.body.clientWidth || 1200, COL, view.cols.length);
    var html = [];
    for (var c = colWindow[0]; c < colWindow[1]; c++) {
      var account = accounts[view.cols[c]];
      html.push('<div class="col" style="left:' + c * COL + 'px" data-account="' + esc(account.id) + '" title="' + esc(account.label) + '"><b>' +
        esc(account.name || account.id) + "</b><span>" + esc(account.id) + "</span></div>");
    }
    els.cols.innerHTML = html.join("");
    els.cols.style.transform = "translateX(" + (-left) + "px)";
    html = [];
    var cells = [];
    for (var r = rowWindow[0]; r < rowWindow[1]; r++) {
      var principal = principals[view.rows[r]];
      var counts = memberCounts[principal.index];
      var members = (counts.granted || 0) + (counts.unexplained || 0) + (counts.unmanaged || 0);
      var flags = ["pending", "unexplained"].filter(function (s) { return counts[s]; }).map(function (s) {
        return ' <small class="t-' + s + '">' + counts[s] + " " + data.statusLabels[s] + "</small>";
      }).join("");
      html.push('<div class="row" role="rowheader" style="top:' + r * ROW + 'px" data-principal="' + esc(principal.name) + '" data-principal-index="' + principal.index + '" title="' +
        esc(principal.name + (principal.description ? " — " + principal.description : "")) + '">' + esc(principalLabel(principal)) + managementTag(principal) +
        (principal.type === "G" ? " <small>" + (principal.membersKnown ? members + " members" : "members not read") + "</small>" + flags : "") + "</div>");
      view.cellsByRow[r].forEach(function (cell) {
        if (cell.col < colWindow[0] || cell.col >= colWindow[1]) return;
        var chips = cell.grants.map(function (grant, i) {
          return i < 2 ? chip(grant.status, data.permissionSets[grant.permissionSet], ' data-permission-set="' + esc(data.permissionSets[grant.permissionSet]) + '" data-status="' + grant.status + '"') : "";
        }).join("");
        var more = cell.grants.length > 2 ? '<span class="more">+' + (cell.grants.length - 2) + "</span>" : "";
        // People whose way through a granted assignment is pending or not explained (their membership is).
        var others = {};
        if (view.onePerson < 0) cell.grants.forEach(function (grant) {
          var counts = pathCounts(grant);
          S.forEach(function (status) { if (status !== grant.status && counts[status]) others[status] = (others[status] || 0) + counts[status]; });
        });
        var flags = ["unexplained", "pending", "unmanaged"].filter(function (status) { return others[status]; }).map(function (status) {
          return '<span class="flag t-' + status + '" data-flag="' + status + '" title="' + others[status] + " member(s): " + esc(data.statusLabels[status]) + '">' + others[status] + "</span>";
        }).join("");
        var title = cell.grants.map(function (grant) { return data.permissionSets[grant.permissionSet] + ": " + data.statusLabels[grant.status]; }).join("\n") +
          S.filter(function (status) { return others[status]; }).map(function (status) { return "\n" + others[status] + " member(s) " + data.statusLabels[status]; }).join("");
        cells.push('<div class="cell" role="gridcell" style="top:' + cell.row * ROW + "px;left:" + cell.col * COL + 'px" data-row="' + cell.row + '" data-col="' + cell.col +
          '" data-principal="' + esc(principal.name) + '" data-account="' + esc(accounts[view.cols[cell.col]].id) + '" title="' + esc(title) + '">' + chips + more + flags + "</div>");
      });
    }
    els.rows.innerHTML = html.join("");
    els.rows.style.transform = "translateY(" + (-top) + "px)";
    els.cells.innerHTML = cells.join("");
  }

  // ── People: only the rows in view ──
  function renderPeople() {
    var range = windowOf(els.people.scrollTop, els.people.clientHeight || 360, ROW, view.people.length);
    var html = [];
    for (var i = range[0]; i < range[1]; i++) {
      var person = people[view.people[i]];
      var counts = {};
      pathsOf(person.index).forEach(function (path) { counts[path.status] = (counts[path.status] || 0) + 1; });
      var reach = S.filter(function (s) { return counts[s]; }).map(function (s) { return chip(s, counts[s] + " " + data.statusLabels[s]); }).join("");
      html.push('<div class="person' + (selectedPerson === person.index ? " selected" : "") + '" role="listitem" style="top:' + i * ROW + 'px" data-person="' + esc(person.key) + '" data-person-index="' + person.index + '">' +
        '<span class="name">' + esc(personLabel(person)) + '</span><span class="standing" title="' + esc(standingText(person)) + '">' + esc(standingShort(person)) +
        '</span><span class="reach">' + (reach || "<small>no access</small>") + "</span></div>");
    }
    els.peopleRows.innerHTML = html.join("");
  }

  // ── Details ──
  var selectedPerson = -1;
  function table(headers, rows) {
    return "<table><thead><tr>" + headers.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") + "</tr></thead><tbody>" + rows.join("") + "</tbody></table>";
  }
  function memberWhy(membership) {
    var sources = sourceList(membership.sources);
    if (sources.length) return sources.map(function (s) { return esc(s[0]) + " " + esc(s[1]); }).join("<br>");
    return esc(data.membershipWords[membership.status]);
  }
  function grantWhy(grant) {
    var sources = grantSourceList(grant.sources);
    if (sources.length) return sources.map(function (s) { return esc(s[0]) + " via accounts " + esc(s[1]); }).join("<br>");
    return esc(data.statusWords[grant.status]);
  }
  function showPerson(index) {
    selectedPerson = index;
    var person = people[index];
    var paths = pathsOf(index);
    var facts = [
      person.aliases ? "Aliases: " + esc(person.aliases) : "",
      person.origin === "google" ? "Google: org unit " + esc(person.orgUnit) + (person.department ? " · department " + esc(person.department) : "") :
        person.origin === "static" ? "Not in Google: a static user of the rules" : "Not in Google",
      "Identity Center: " + (person.icUser ? "user " + esc(person.icUser) : "no user"),
      "Standing: " + esc(standingText(person))
    ].filter(Boolean).map(function (line) { return "<div>" + line + "</div>"; }).join("");
    var rows = paths.map(function (path) {
      var principal = principals[path.principal];
      var via = principal.type === "G" ? "group:" + principal.name : "user";
      return '<tr data-path data-account="' + esc(accounts[path.account].id) + '" data-permission-set="' + esc(data.permissionSets[path.permissionSet]) + '" data-via="' + esc(via) + '" data-status="' + path.status + '">' +
        "<td><b>" + esc(data.permissionSets[path.permissionSet]) + "</b><br>" + esc(accounts[path.account].label) + "</td><td>" +
        (principal.type === "G" ? esc(principal.name) + managementTag(principal) + '<div class="why">' + memberWhy(path.membership) + "</div>" : "assigned to the user directly") +
        "</td><td>" + chip(path.status, data.statusLabels[path.status]) + '<div class="why">' + grantWhy(path.grant) + "</div></td></tr>";
    });
    var groups = membershipsByPerson[index].map(function (membership) {
      var group = principals[membership.group];
      return '<tr data-membership data-group="' + esc(group.name) + '" data-status="' + membership.status + '"><td>' + esc(group.name) + managementTag(group) + "</td><td>" +
        chip(membership.status, data.statusLabels[membership.status]) + '<div class="why">' + memberWhy(membership) + "</div></td></tr>";
    });
    els.details.innerHTML = "<h3>" + esc(personLabel(person)) + "</h3>" + facts +
      "<h4>Access (" + paths.length + ")</h4>" + (paths.length ? table(["permission set and account", "via group and why", "status and rule"], rows) : '<p class="hint">No access: Identity Center has none, and the rules grant none.</p>') +
      "<h4>Groups (" + groups.length + ")</h4>" + (groups.length ? table(["group", "membership"], groups) : '<p class="hint">In no group.</p>');
    els.details.dataset.person = person.key;
    renderPeople();
  }
  function membersTable(principal) {
    if (principal.type !== "G") return "";
    var list = membershipsByGroup[principal.index];
    var rows = list.slice(0, MEMBER_LIMIT).map(function (membership) {
      var person = people[membership.person];
      return '<tr data-member="' + esc(person.key) + '"><td>' + esc(personLabel(person)) + "</td><td>" + chip(membership.status, data.statusLabels[membership.status]) +
        '<div class="why">' + memberWhy(membership) + "</div></td></tr>";
    });
    var more = list.length > MEMBER_LIMIT ? '<p class="hint">… and ' + (list.length - MEMBER_LIMIT) + " more; filter by person to find one.</p>" : "";
    return "<h4>Members (" + list.length + ")</h4>" + (principal.membersKnown ? "" : '<p class="hint">Identity Center\u2019s member list of this group was not read.</p>') +
      (rows.length ? table(["person", "membership"], rows) : "") + more;
  }
  function principalHeader(principal) {
    return "<h3>" + esc(principalLabel(principal)) + managementTag(principal) + "</h3>" +
      (principal.rule ? "<div>Rule: " + esc(principal.rule) + "</div>" : principal.type === "G" ? "<div>Not defined in the rules</div>" : "") +
      (principal.description ? "<div>" + esc(principal.description) + "</div>" : "");
  }
  function grantRows(list) {
    return list.map(function (grant) {
      return '<tr data-grant data-account="' + esc(accounts[grant.account].id) + '" data-permission-set="' + esc(data.permissionSets[grant.permissionSet]) + '" data-status="' + grant.status + '"><td>' +
        esc(accounts[grant.account].label) + "</td><td>" + esc(data.permissionSets[grant.permissionSet]) + "</td><td>" + chip(grant.status, data.statusLabels[grant.status]) + '<div class="why">' + grantWhy(grant) + "</div></td></tr>";
    });
  }
  function showCell(principalIndex, accountIndex) {
    var principal = principals[principalIndex];
    var list = grantsByPrincipal[principalIndex].filter(function (grant) { return grant.account === accountIndex; });
    els.details.innerHTML = principalHeader(principal) + "<div>Account: " + esc(accounts[accountIndex].label) + "</div>" +
      table(["account", "permission set", "status and rule"], grantRows(list)) + membersTable(principal);
  }
  function showPrincipal(principalIndex) {
    var principal = principals[principalIndex];
    els.details.innerHTML = principalHeader(principal) +
      "<h4>Assignments (" + grantsByPrincipal[principalIndex].length + ")</h4>" + table(["account", "permission set", "status and rule"], grantRows(grantsByPrincipal[principalIndex])) +
      membersTable(principal);
  }

  // ── Events ──
  var scheduled = {};
  function later(name, fn) {
    if (scheduled[name]) return;
    scheduled[name] = true;
    requestAnimationFrame(function () { scheduled[name] = false; fn(); });
  }
  var typing = 0;
  els.person.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { state.person = els.person.value; recompute(); }, 150);
  });
  els.account.addEventListener("change", function () { state.account = els.account.value === "" ? -1 : Number(els.account.value); recompute(); });
  els.permissionSet.addEventListener("change", function () { state.permissionSet = els.permissionSet.value === "" ? -1 : Number(els.permissionSet.value); recompute(); });
  els.status.addEventListener("change", function () { state.status = els.status.value; recompute(); });
  els.form.addEventListener("submit", function (event) { event.preventDefault(); });
  els.form.addEventListener("reset", function () {
    setTimeout(function () { state = { person: "", account: -1, permissionSet: -1, status: "" }; recompute(); }, 0);
  });
  els.body.addEventListener("scroll", function () { later("matrix", renderMatrix); });
  els.people.addEventListener("scroll", function () { later("people", renderPeople); });
  window.addEventListener("resize", function () { later("matrix", renderMatrix); later("people", renderPeople); });
  els.cells.addEventListener("click", function (event) {
    var cell = event.target.closest(".cell");
    if (cell) showCell(view.rows[Number(cell.dataset.row)], view.cols[Number(cell.dataset.col)]);
  });
  els.rows.addEventListener("click", function (event) {
    var row = event.target.closest(".row");
    if (row) showPrincipal(Number(row.dataset.principalIndex));
  });
  els.peopleRows.addEventListener("click", function (event) {
    var row = event.target.closest(".person");
    if (row) showPerson(Number(row.dataset.personIndex));
  });

  recompute();
  window.accessReportReadyAt = performance.now();
  document.body.dataset.ready = "1";
})();
`;
