// Keyboard shortcuts and small conveniences. Every action is a plain link or form,
// so the pages work without this script; it only adds keys.
(() => {
  "use strict";
  const page = document.body.dataset.page;
  const $ = (sel) => document.querySelector(sel);
  const typing = (el) =>
    el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  let sent = false;

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

  document.querySelectorAll("[data-open]").forEach((b) =>
    b.addEventListener("click", () => openPanel(b.dataset.open)));
  document.querySelectorAll("[data-close]").forEach((b) =>
    b.addEventListener("click", () => { document.getElementById(b.dataset.close).hidden = true; }));
  document.querySelectorAll("form[data-autosubmit] select").forEach((s) =>
    s.addEventListener("change", () => s.form.requestSubmit()));
  document.querySelectorAll("form").forEach((f) =>
    f.addEventListener("submit", () => { sent = true; }));
  window.addEventListener("pageshow", () => { sent = false; }); // back from the cache
  const tz = $("input[data-local-tz]");
  if (tz && !tz.value) {
    try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { tz.value = "UTC"; }
  }
  const help = $("#help");
  if (help) help.addEventListener("click", () => { help.hidden = true; });

  // The queue: j/k move a cursor over the rows, Enter or o opens the row.
  const rows = Array.from(document.querySelectorAll("tr[data-href]"));
  let cursor = rows.length ? 0 : -1;
  function mark() {
    rows.forEach((r, i) => r.classList.toggle("cursor", i === cursor));
    if (cursor >= 0) rows[cursor].scrollIntoView({ block: "nearest" });
  }
  rows.forEach((r, i) => r.addEventListener("click", (ev) => {
    if (ev.target.closest("a")) return;
    cursor = i;
    window.location.href = r.dataset.href;
  }));
  mark();

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target;
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
        case "Enter": case "o": window.location.href = rows[cursor].dataset.href; break;
        default: handled = false;
      }
    } else {
      handled = false;
    }
    if (handled) ev.preventDefault();
  });
})();
