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
  function urlPath(path) {  /* a site path as a URL: "a#b.pdf" must not become a fragment */
    return path.split("/").map(encodeURIComponent).join("/");
  }
  function num(v) { return v === null || v === undefined ? "—" : String(v).replace(".", ","); }
  function day(iso) { if (!iso) return "—"; var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  function status(s, title, label) {  /* label: the page's own wording, e.g. "Trễ hạn (hạn đề xuất)" */
    return el("span", { "class": "sb-status sb-" + s, title: title || "" }, [label || STATUS[s] || s]);
  }

  function listing(root) {
    var base = root.getAttribute("data-base");
    var state = { rows: [], key: "name", dir: 1, index: null };
    var table = root.querySelector("[data-listing-table]");
    var note = root.querySelector("[data-listing-status]");
    note.setAttribute("aria-live", "polite");  /* "Đang tải…", the row count after a filter */
    var pick = function (name) { return root.querySelector('[data-filter="' + name + '"]'); };
    fetch(root.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (index) {
      state.index = index;
      var wanted = location.hash.slice(1);
      if (wanted && pick("district").querySelector('option[value="' + wanted + '"]')) {
        pick("district").value = wanted; load();
      }
    });
    function load() {
      var slug = pick("district").value;
      if (!slug) { state.rows = []; draw(); return; }
      note.textContent = "Đang tải…";
      fetch(root.getAttribute("data-index").replace(/index\.json$/, slug + ".json"))
        .then(function (r) { return r.json(); })
        .then(function (data) { state.rows = data.units; draw(); })
        .catch(function () { note.textContent = "Không tải được dữ liệu của quận/huyện này."; });
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
      if (!pick("district").value) { note.textContent = "Chọn một quận/huyện để xem bảng chi tiết."; return; }
      note.textContent = rows.length + " đơn vị. Bấm vào tiêu đề cột để sắp xếp.";
      var ms = state.index ? state.index.milestones : [];
      var heads = [["name", "Đơn vị"], ["type_label", "Loại"], ["status", "Trạng thái"], ["date", "Ngày nộp"],
        ["total", "Tổng điểm"], ["rating", "Xếp loại"]];
      function editing(u) {  /* the unit's GitHub editor link: edit its file, or create it from the template */
        if (u.edit) return el("a", { href: u.edit, rel: "nofollow" }, ["Sửa"]);
        if (!u.new) return "";
        var link = el("a", { href: u.new, rel: "nofollow" }, ["Nộp bài"]);
        if (u.template) { link.setAttribute("data-template", base + u.template); prefilled(link); }
        return link;
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
      }).concat(ms.map(function (m) { return el("th", { title: m.title }, [m.short]); }))
        .concat([el("th", {}, ["Minh chứng"]), el("th", {}, ["Bài trên GitHub"])]));
      var body = el("tbody", {}, rows.map(function (u) {
        var evidence = el("td", {}, []);
        u.evidence.forEach(function (e) {
          if (!e.pdf && !/^https?:\/\//i.test(e.href)) return;  // only web links and the site's own files
          if (evidence.childNodes.length) evidence.appendChild(document.createTextNode(", "));
          evidence.appendChild(el("a", { href: e.pdf ? base + urlPath(e.href) : e.href, rel: "nofollow noopener" }, [e.label]));
          if (e.broken) evidence.appendChild(el("span", { "class": "sb-broken" }, [" (liên kết hỏng)"]));
        });
        return el("tr", { "data-unit": u.id }, [
          el("td", {}, [el("a", { href: base + u.href }, [u.name])]), el("td", {}, [u.type_label]),
          el("td", {}, [status(u.status, "", u.status_label)]), el("td", {}, [day(u.date)]),
          el("td", { "class": "sb-num" }, [num(u.total)]), el("td", {}, [u.rating || "—"])
        ].concat(u.milestones.map(function (m, i) {
          return el("td", {}, [status(m.status, ms[i] ? ms[i].title : "", m.status_label), m.status === "late" ? " " + day(m.date) : ""]);
        })).concat([evidence, el("td", {}, [editing(u)])]));
      }));
      var wrap = el("div", { "class": "md-typeset__scrollwrap sb-table" }, [el("div", { "class": "md-typeset__table" },
        [el("table", {}, [el("thead", {}, [head]), body])])]);
      table.appendChild(wrap);
      scrollable(table);
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
    document.querySelectorAll("[data-listing]").forEach(listing);
    document.querySelectorAll("[data-search]").forEach(search);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
