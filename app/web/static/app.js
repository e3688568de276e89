// Keyboard shortcuts and small conveniences. Every action is a plain link or form,
// so the pages work without this script; it only adds keys, and sends decisions with
// fetch: the server answers with the next item's page itself (one request per key
// press), which replaces the page's body in place.
(() => {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const typing = (el) =>
    el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  let sent = false;
  let rows = [];
  let cursor = -1;

  // Decisions (approve, reject, undo, decide anyway) go by fetch and swap the page.
  async function send(form, submitter) {
    const body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    try {
      const res = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: { "X-Review-Fetch": "1" },
      });
      const type = res.headers.get("content-type") || "";
      if (!type.includes("text/html")) throw new Error("not a page");
      const html = await res.text();
      const url = res.headers.get("X-Review-Location") || res.url;
      swap(html, url);
    } catch (e) {
      form.submit(); // the plain form post: the server redirects
    }
  }
  function swap(html, url) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(doc.body);
    if (url && url !== window.location.href) window.history.pushState({ swapped: true }, "", url);
    window.scrollTo(0, 0);
    init();
  }
  function submit(form) {
    if (!form || sent) return;
    sent = true; // one decision per key press, however fast the keys repeat
    form.requestSubmit();
  }
  function go(name) {
    const link = $(`[data-nav="${name}"]`);
    if (link) window.location.href = link.href;
  }
  function openPanel(id) {
    const panel = document.getElementById(id);
    if (!panel) return;
    panel.hidden = false;
    const field = panel.querySelector("select, textarea, input:not([type=hidden])");
    if (field) field.focus();
    panel.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  function closePanels() {
    document.querySelectorAll(".panel").forEach((p) => { p.hidden = true; });
    const help = $("#help");
    if (help) help.hidden = true;
  }
  function mark() {
    rows.forEach((r, i) => r.classList.toggle("cursor", i === cursor));
    if (cursor >= 0) rows[cursor].scrollIntoView({ block: "nearest" });
  }
  function countSelected() {
    const shown = $("[data-selected]");
    if (shown) shown.textContent = document.querySelectorAll("input[name=ids]:checked").length;
  }

  // Bind what lives inside the body: run at load and after every swap.
  function init() {
    sent = false;
    document.querySelectorAll("[data-open]").forEach((b) =>
      b.addEventListener("click", () => openPanel(b.dataset.open)));
    document.querySelectorAll("[data-close]").forEach((b) =>
      b.addEventListener("click", () => { document.getElementById(b.dataset.close).hidden = true; }));
    document.querySelectorAll("form[data-autosubmit] select").forEach((s) =>
      s.addEventListener("change", () => s.form.requestSubmit()));
    document.querySelectorAll("form").forEach((f) =>
      f.addEventListener("submit", (ev) => {
        sent = true;
        const decision = /\/(approve|reject|undo)$/.test(new URL(f.action).pathname);
        if (decision && f.method.toLowerCase() === "post") {
          ev.preventDefault();
          send(f, ev.submitter);
        }
      }));
    const tz = $("input[data-local-tz]");
    if (tz && !tz.value) {
      try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { tz.value = "UTC"; }
    }
    const help = $("#help");
    if (help) help.addEventListener("click", () => { help.hidden = true; });

    // The queue: j/k move a cursor over the rows, Enter or o opens the row, x selects it.
    rows = Array.from(document.querySelectorAll("tr[data-href]"));
    cursor = rows.length ? 0 : -1;
    rows.forEach((r, i) => r.addEventListener("click", (ev) => {
      if (ev.target.closest("a, input, label, button, select")) return;
      cursor = i;
      window.location.href = r.dataset.href;
    }));
    document.querySelectorAll("input[name=ids]").forEach((c) =>
      c.addEventListener("change", countSelected));
    countSelected();
    mark();
    // Deciding another reviewer's item: one more key (Enter) confirms.
    const confirm = $("#confirm-form button");
    if (confirm) confirm.focus();
  }

  window.addEventListener("pageshow", () => { sent = false; }); // back from the cache
  window.addEventListener("popstate", () => { window.location.reload(); }); // a swapped page
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target;
    const page = document.body.dataset.page;
    const help = $("#help");
    if (ev.key === "Escape") {
      closePanels();
      if (typing(target)) target.blur();
      return;
    }
    if (typing(target)) {
      // In the reject panel, Enter on the reason list decides (a list would open instead).
      const form = target.form;
      if (ev.key === "Enter" && target.tagName === "SELECT" && form && "enterSubmits" in form.dataset) {
        ev.preventDefault();
        if (form.reportValidity()) submit(form);
      }
      return;
    }
    let handled = true;
    if (ev.key === "?") {
      if (help) help.hidden = !help.hidden;
    } else if (ev.key === "z" && ($("#flash-undo") || $("#undo-form"))) {
      submit($("#flash-undo") || $("#undo-form"));
    } else if (page === "item") {
      switch (ev.key) {
        case "a": submit($("#approve-form")); break;
        case "r": openPanel("reject-panel"); break;
        case "e": openPanel("edit-panel"); break;
        case "j": go("next"); break;
        case "k": go("prev"); break;
        case "u": go("queue"); break;
        default: handled = false;
      }
    } else if (page === "queue" && rows.length) {
      switch (ev.key) {
        case "j": cursor = Math.min(cursor + 1, rows.length - 1); mark(); break;
        case "k": cursor = Math.max(cursor - 1, 0); mark(); break;
        case "x": {
          const box = rows[cursor].querySelector("input[name=ids]");
          if (box) { box.checked = !box.checked; countSelected(); }
          break;
        }
        case "Enter": case "o": window.location.href = rows[cursor].dataset.href; break;
        default: handled = false;
      }
    } else {
      handled = false;
    }
    if (handled) ev.preventDefault();
  });
  init();
})();
