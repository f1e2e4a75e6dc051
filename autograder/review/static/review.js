// Keyboard-first grading: 1-9 toggle rubric items, j/k move, Enter saves and moves on,
// c and p jump to the comment and the free points, Esc leaves a field.
"use strict";
(function () {
  const form = document.getElementById("grade");
  if (!form) return;
  const items = Array.from(form.querySelectorAll("input[name=rubric]"));
  const adjustment = document.getElementById("adjustment");
  const comment = document.getElementById("comment");
  const total = document.getElementById("total");
  const message = document.getElementById("message");
  const words = message.dataset;  // the page's words, in the TA's language (shared/i18n.py rv.*)

  function score() {
    const chosen = items.filter((box) => box.checked);
    const sum = chosen.reduce((acc, box) => acc + Number(box.dataset.points), 0);
    return Math.round((sum + (Number(adjustment.value) || 0)) * 1e6) / 1e6;
  }
  function show() { total.textContent = String(score()); }

  function go(url) { if (url) window.location.assign(url); }

  async function save() {
    message.className = "";
    message.textContent = words.saving;
    const body = {
      rubric: items.filter((box) => box.checked).map((box) => box.value),
      adjustment: adjustment.value === "" ? 0 : Number(adjustment.value),
      comment: comment.value,
    };
    let reply;
    try {
      const response = await fetch(form.dataset.save, {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body),
      });
      reply = await response.json();
    } catch (error) {
      message.textContent = words.notSaved + words.noReply + " (" + error + ")";
      return;
    }
    if (reply.error) { message.textContent = words.notSaved + reply.error; return; }
    message.className = "ok";
    message.textContent = words.saved;
    go(reply.next);
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); save(); });
  form.addEventListener("change", show);
  adjustment.addEventListener("input", show);
  const rejoin = document.getElementById("rejoin");
  if (rejoin) {
    rejoin.addEventListener("click", async () => {
      const response = await fetch(rejoin.dataset.rejoin, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: "{}",
      });
      const reply = await response.json();
      if (reply.error) { message.textContent = words.notChanged + reply.error; return; }
      go(reply.next);
    });
  }
  document.getElementById("prev").addEventListener("click", () => go(form.dataset.prev));
  document.getElementById("next").addEventListener("click", () => go(form.dataset.next));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target === comment || event.target === adjustment;
    if (typing) {
      if (event.key === "Escape") event.target.blur();
      else if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); save(); }
      return;
    }
    if (/^[1-9]$/.test(event.key) && items[Number(event.key) - 1]) {
      const box = items[Number(event.key) - 1];
      box.checked = !box.checked;
      show();
    } else if (event.key === "j") go(form.dataset.next);
    else if (event.key === "k") go(form.dataset.prev);
    else if (event.key === "c") { event.preventDefault(); comment.focus(); }
    else if (event.key === "p") { event.preventDefault(); adjustment.focus(); adjustment.select(); }
    else if (event.key === "Enter" && event.target.tagName !== "BUTTON") { event.preventDefault(); save(); }
    else return;
  });
  show();
})();
