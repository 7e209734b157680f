// moot: votes, saves, subscriptions and replies in place. Every form and link here also
// works without this script (a plain POST, then a redirect back). It understands the few
// htmx attributes the pages use: hx-post (form or submit button), hx-get (link),
// hx-target ("this", "closest SELECTOR" or a selector; inherited) and hx-swap
// ("outerHTML", "innerHTML", "afterbegin", "beforeend"); requests carry HX-Request: true.
// docs/decisions.md says why this is not htmx itself (page weight).
(() => {
  "use strict";
  const say = (html) => {
    const box = document.getElementById("flash");
    if (box) box.innerHTML = html;
  };
  const attr = (el, name, fallback) => {
    const holder = el.closest(`[${name}]`);
    return holder ? [holder, holder.getAttribute(name)] : [el, fallback];
  };
  const targetOf = (el) => {
    const [holder, spec] = attr(el, "hx-target", "this");
    if (spec === "this") return holder;
    if (spec.startsWith("closest ")) return holder.closest(spec.slice(8));
    return document.querySelector(spec);
  };
  const focusables = (root) =>
    [...root.querySelectorAll("a[href], button, input, select, textarea")];

  function put(dest, how, fragment) {
    const added = [...fragment.children];
    if (how === "outerHTML") dest.replaceWith(fragment);
    else if (how === "afterbegin") dest.prepend(fragment);
    else if (how === "beforeend") dest.append(fragment);
    else dest.replaceChildren(fragment);
    return added;
  }

  async function send(el, url, init) {
    const dest = targetOf(el);
    if (!dest || el.getAttribute("aria-busy") === "true") return false;
    el.setAttribute("aria-busy", "true");
    let response, body;
    try {
      response = await fetch(url, { ...init, headers: { "HX-Request": "true" }, credentials: "same-origin" });
      body = await response.text();
    } catch {
      say('<p class="error">No connection: nothing was changed.</p>');
      return false;
    } finally {
      el.removeAttribute("aria-busy");
    }
    const redirect = response.headers.get("HX-Redirect");
    if (redirect) { location.assign(redirect); return false; }
    if (!response.ok) { say(body); return false; }
    say("");
    const template = document.createElement("template");
    template.innerHTML = body.trim();
    const first = template.content.firstElementChild;
    const existing = first && first.id && document.getElementById(first.id);
    if (existing) {  // already open (a reply box): go to it instead of adding another
      (existing.querySelector("[autofocus]") || existing).focus();
      return false;
    }
    // Keep the keyboard where it was when the control it was on is replaced.
    const active = document.activeElement;
    const index = dest.contains(active) ? focusables(dest).indexOf(active) : -1;
    const added = put(dest, attr(el, "hx-swap", "innerHTML")[1], template.content);
    const auto = added.map((a) => a.querySelector("[autofocus]")).find(Boolean);
    if (auto) auto.focus();
    else if (index >= 0) {
      const again = added.flatMap(focusables);
      if (again[index]) again[index].focus();
    } else if (!active || !active.isConnected) {
      added[0]?.setAttribute("tabindex", "-1");
      added[0]?.focus();
    }
    return true;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    const url = button?.getAttribute("hx-post") || form.getAttribute("hx-post");
    if (!url) return;
    event.preventDefault();
    const data = new FormData(form, button);
    if (button?.name && !data.has(button.name)) data.append(button.name, button.value);
    send(form, url, { method: "POST", body: new URLSearchParams(data) }).then((swapped) => {
      if (swapped && form.isConnected) form.reset();
    });
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[hx-get]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    send(link, link.getAttribute("hx-get"), { method: "GET" });
  });
})();
