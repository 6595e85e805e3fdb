/* Transparency listing (one small JSON per district, fetched on demand) and unit search
   (a name index folded without diacritics). Pages stay readable without this script. */
(function () {
  "use strict";
  var STATUS = { on_time: "Đúng hạn", late: "Trễ hạn", missing: "Chưa nộp", unknown: "Đã nộp (chưa xác nhận thời điểm)" };

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/đ/g, "d").replace(/[\u0300-\u036f]/g, "");
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function num(v) { return v === null || v === undefined ? "—" : String(v).replace(".", ","); }
  function cell(label, cls, children) {  /* data-label names the column on a phone, where rows are cards */
    var attrs = {};
    if (label) attrs["data-label"] = label;
    if (cls) attrs["class"] = cls;
    return el("td", attrs, children);
  }
  function day(iso) { if (!iso) return "—"; var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  function status(s, title, label) {  /* label: the page's own wording, e.g. "Trễ hạn (hạn đề xuất)" */
    return el("span", { "class": "sb-status sb-" + s, title: title || "" }, [label || STATUS[s] || s]);
  }

  function listing(root) {
    var base = root.getAttribute("data-base");
    var state = { rows: [], key: "name", dir: 1, index: null };
    var table = root.querySelector("[data-listing-table]");
    var note = root.querySelector("[data-listing-status]");
    var area = (root.getAttribute("data-area") || "nhóm").toLowerCase();
    var initial = false;  /* the page was opened at #<area>: bring its table into view once drawn */
    note.setAttribute("aria-live", "polite");  /* "Đang tải…", the row count after a filter */
    var pick = function (name) { return root.querySelector('[data-filter="' + name + '"]'); };
    fetch(root.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (index) {
      state.index = index;
      var wanted = location.hash.slice(1);
      if (wanted && pick("district").querySelector('option[value="' + wanted + '"]')) {
        pick("district").value = wanted; initial = true; load();
      }
    });
    function load() {
      var slug = pick("district").value;
      if (!slug) { state.rows = []; draw(); return; }
      note.textContent = "Đang tải…";
      fetch(root.getAttribute("data-index").replace(/index\.json$/, slug + ".json"))
        .then(function (r) { return r.json(); })
        .then(function (data) { state.rows = data.units; draw(); })
        .catch(function () { note.textContent = "Không tải được dữ liệu của " + area + " này."; });
    }
    function draw() {
      var type = pick("type").value, st = pick("status").value;
      var rows = state.rows.filter(function (u) {
        return (!type || u.type === type) && (!st || u.status === st);
      });
      rows.sort(function (a, b) {
        var x = a[state.key], y = b[state.key];
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (typeof x === "number" ? x - y : String(x).localeCompare(String(y), "vi")) * state.dir;
      });
      table.textContent = "";
      if (!pick("district").value) { note.textContent = "Chọn một " + area + " để xem bảng chi tiết."; return; }
      note.textContent = rows.length + " đơn vị. Bấm vào tiêu đề cột để sắp xếp.";
      var ms = state.index ? state.index.milestones : [];
      var heads = [["name", "Đơn vị"], ["type_label", "Loại"], ["status", "Trạng thái"], ["date", "Ngày nộp"],
        ["total", "Tổng điểm"], ["percent", "Tỉ lệ"], ["rating", "Xếp loại"]];
      var demo = state.index && state.index.demo;
      function editing(u) {  /* the unit's GitHub editor link: edit its file, or create it from the template */
        var link;
        if (u.edit) link = el("a", { href: u.edit, rel: "nofollow" }, ["Sửa"]);
        else if (!u.new) return [];
        else {
          link = el("a", { href: u.new, rel: "nofollow" }, ["Nộp bài"]);
          if (u.template) { link.setAttribute("data-template", base + u.template); prefilled(link); }
        }
        /* demonstration data: the repository is made up */
        return demo ? [link, " ", el("span", { "class": "sb-flag sb-demo-repo" }, ["(kho minh hoạ)"])] : [link];
      }
      function evidence(u) {  /* counts; the unit's page lists each file and link under its criterion */
        var e = u.evidence || {}, parts = [];
        if (e.files) parts.push(e.files + " tệp");
        if (e.links) parts.push(e.links + " liên kết");
        if (!parts.length) return ["—"];
        var out = [el("a", { href: base + u.href + "#tieu-chi" }, [parts.join(", ")])];
        if (e.broken) out.push(el("span", { "class": "sb-broken" }, [" (" + e.broken + " liên kết hỏng)"]));
        return out;
      }
      var head = el("tr", {}, heads.map(function (h) {
        /* A button in each sortable header: reachable with Tab, Enter/Space sort; aria-sort tells
           screen readers the order in force. The click on the whole cell still sorts. */
        var on = state.key === h[0];
        var th = el("th", { "data-sort": h[0], scope: "col" }, [el("button", { type: "button", "class": "sb-sort" },
          [h[1], el("span", { "aria-hidden": "true" }, [on ? (state.dir > 0 ? " ▲" : " ▼") : ""])])]);
        if (on) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        th.addEventListener("click", function () {
          state.dir = state.key === h[0] ? -state.dir : (h[0] === "total" ? -1 : 1); state.key = h[0];
          state.focus = h[0]; draw();
        });
        return th;
      }).concat(ms.map(function (m) { return el("th", { title: m.title, scope: "col" }, [m.short]); }))
        .concat([el("th", { scope: "col" }, ["Minh chứng"]), el("th", { scope: "col" }, ["Bài trên GitHub"])]));
      var body = el("tbody", {}, rows.map(function (u) {
        var submitted = u.total !== null && u.total !== undefined;
        return el("tr", { "data-unit": u.id }, [
          cell("", "sb-main", [el("a", { href: base + u.href }, [u.name])]), cell("Loại", "", [u.type_label]),
          cell("Trạng thái", "", [status(u.status, "", u.status_label)]), cell("Ngày nộp", "sb-date", [day(u.date)]),
          cell("Tổng điểm", "sb-num sb-total", [submitted ? num(u.total) + "/" + num(u.max) : "—"]),
          cell("Tỉ lệ", "sb-num sb-pct", [submitted && u.percent !== null ? num(u.percent) + "%" : "—"]),
          cell("Xếp loại", "sb-rating", [u.rating || "—"])
        ].concat(u.milestones.map(function (m, i) {
          return cell(ms[i] ? ms[i].short : "", "", [status(m.status, ms[i] ? ms[i].title : "", m.status_label),
            m.status === "late" ? " " + day(m.date) : ""]);
        })).concat([cell("Minh chứng", "", evidence(u)), cell("", "", editing(u))]));
      }));
      var wrap = el("div", { "class": "md-typeset__scrollwrap sb-table" }, [el("div", { "class": "md-typeset__table" },
        [el("table", {}, [el("thead", {}, [head]), body])])]);
      table.appendChild(wrap);
      scrollable(table);
      if (initial) {  /* opened at #<area>: the table, not the summary row of that id, is what was asked for */
        initial = false;
        wrap.scrollIntoView({ block: "start" });
      }
      if (state.focus) {  /* the table was redrawn: keep the keyboard on the header just used */
        var again = table.querySelector('th[data-sort="' + state.focus + '"] button');
        if (again) again.focus();
        state.focus = null;
      }
    }
    pick("district").addEventListener("change", function () {
      history.replaceState(null, "", "#" + pick("district").value); load();
    });
    pick("type").addEventListener("change", draw);
    pick("status").addEventListener("change", draw);
  }

  function search(root) {
    /* Pagefind's chunked index: only the fragments a query needs are downloaded. */
    var base = root.getAttribute("data-base");
    var input = root.querySelector("input");
    var list = root.querySelector("[data-search-results]");
    var note = root.querySelector("[data-search-status]");
    var engine = null, ticket = 0;
    function run() {
      var query = input.value.trim(), mine = ++ticket;
      list.textContent = "";
      if (!query) { note.textContent = ""; return; }
      if (!engine) { note.textContent = "Đang tải…"; return; }
      engine.search(query).then(function (found) {
        return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); })).then(function (data) {
          if (mine !== ticket) return;
          note.textContent = found.results.length ? found.results.length + " kết quả" +
            (found.results.length > 20 ? " (hiển thị 20)" : "") : "Không tìm thấy đơn vị nào.";
          data.forEach(function (d) {
            var url = base + d.url.replace(/^\//, "");
            list.appendChild(el("li", {}, [el("a", { href: url }, [d.meta.title || d.url]),
              d.meta.info ? " — " + d.meta.info : ""]));
          });
        });
      });
    }
    import(new URL(base + "pagefind/pagefind.js", location.href).href).then(function (pf) {
      engine = pf; run();
    }).catch(function () { note.textContent = "Không tải được chỉ mục tìm kiếm."; });
    var q = new URLSearchParams(location.search).get("q");
    if (q) input.value = q;
    input.addEventListener("input", run);
    var form = root.querySelector("form");
    if (form) form.addEventListener("submit", function (event) {  /* answered here, without reloading */
      event.preventDefault();
      history.replaceState(null, "", "?q=" + encodeURIComponent(input.value.trim()));
      run();
    });
  }

  function prefilled(link) {
    /* GitHub's new-file link with the unit's template as its text; without script the link opens
       an empty file with the right name, and "Tải tệp mẫu" downloads the template. */
    link.addEventListener("click", function (event) {
      event.preventDefault();
      fetch(link.getAttribute("data-template")).then(function (r) { return r.text(); }).then(function (text) {
        window.location.href = link.href + "&value=" + encodeURIComponent(text);
      }).catch(function () { window.location.href = link.href; });
    });
  }

  function heading(node) {
    /* The nearest heading before a node (its own section's title). */
    for (; node && !(node.classList && node.classList.contains("md-content__inner")); node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-4]$/.test(prev.tagName)) return prev.textContent.trim();
        var inner = prev.querySelectorAll("h1, h2, h3, h4");
        if (inner.length) return inner[inner.length - 1].textContent.trim();
      }
    }
    return "";
  }

  function scrollable(scope) {
    /* A table wider than the screen scrolls inside its box. Such a box becomes a named region in
       the tab order, so that it can be scrolled with the arrow keys (WCAG 2.1.1); a box that fits
       is left alone (no useless tab stop). Checked again when the width changes. */
    (scope || document).querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide === box.hasAttribute("data-sb-scroll")) return;
      if (wide) {
        var caption = box.querySelector("caption");
        var name = (caption ? caption.textContent.trim() : "") || heading(box);
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Bảng" + (name ? " «" + name + "»" : "") + ", cuộn ngang để xem các cột khác");
        box.setAttribute("data-sb-scroll", "");
      } else {
        ["tabindex", "role", "aria-label", "data-sb-scroll"].forEach(function (a) { box.removeAttribute(a); });
      }
    });
  }

  function start() {
    scrollable();
    var pending = 0;
    window.addEventListener("resize", function () {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () { scrollable(); });
    });
    window.addEventListener("load", function () { scrollable(); });  /* after the theme wraps tables */
    document.querySelectorAll("a[data-template]").forEach(prefilled);
    document.querySelectorAll("button[data-print]").forEach(function (button) {  /* "In" on a sheet */
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-listing]").forEach(listing);
    document.querySelectorAll("[data-search]").forEach(search);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
