// Learner pages: the mock exam's countdown, answer keys, one submit per tap, start keys.
// Every action is a plain form, so the pages work without this script.
(() => {
  "use strict";
  const $ = (sel) => document.querySelector(sel);

  // A start form carries a key made here: a double tap or a retried POST starts one session.
  document.querySelectorAll("input[data-start-key]").forEach((input) => {
    input.value = (crypto.randomUUID && crypto.randomUUID()) ||
      `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  });

  // One submit per form: a second tap while the first is on its way sends nothing.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
  window.addEventListener("pageshow", () => { // back from the cache: the forms work again
    document.querySelectorAll("form[data-sent]").forEach((f) => { delete f.dataset.sent; });
  });

  // The countdown runs to the server's deadline: the page was sent with the seconds left
  // then, so a wrong clock on the phone changes nothing, and a reload starts from the truth.
  const timer = document.querySelector(".ptimer[data-left]");
  if (timer) {
    const end = performance.now() + parseFloat(timer.dataset.left) * 1000;
    const out = $("#time-left");
    const fmt = (s) => {
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      const mm = String(m).padStart(2, "0"), ss = String(sec).padStart(2, "0");
      return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
    };
    let fired = false;
    const tick = () => {
      const left = Math.max(0, Math.ceil((end - performance.now()) / 1000));
      out.textContent = fmt(left);
      timer.classList.toggle("low", left > 0 && left <= 300);
      timer.classList.toggle("up", left === 0);
      if (left === 0 && !fired) {
        fired = true;
        const up = $("#time-up");
        if (up) up.requestSubmit(); // the server decides: the exam ends at its deadline
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  }

  // Flagging saves at once (the answer form without a choice).
  const flag = document.querySelector("input[data-flag]");
  if (flag) {
    flag.addEventListener("change", () => {
      const go = document.querySelector("input[data-go]");
      if (go) go.value = "stay";
      flag.form.requestSubmit();
    });
  }

  // Keys: 1-4 or A-D answer, F flags, N (or Enter on a feedback page) goes on.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const el = document.activeElement;
    if (el && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) && el.type !== "checkbox") return;
    const k = event.key.toLowerCase();
    const letter = { 1: "A", 2: "B", 3: "C", 4: "D", a: "A", b: "B", c: "C", d: "D" }[k];
    if (letter) {
      const button = document.querySelector(`button.opt[data-letter="${letter}"]`);
      if (button) { event.preventDefault(); button.click(); }
    } else if (k === "f" && flag) {
      event.preventDefault(); flag.click();
    } else if (k === "n" || (k === "enter" && !document.querySelector("button.opt"))) {
      const next = document.querySelector("[data-next]");
      if (next) { event.preventDefault(); next.click(); }
    }
  });
})();
