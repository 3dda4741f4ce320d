// Counts down to a one-time code's expiry and, when it runs out, shows the hidden
// "send a new code" form. Without JavaScript the page already shows the expiry time
// and the form appears on the next load after it.
const pad = (n) => String(n).padStart(2, "0");

for (const element of document.querySelectorAll("[data-uslugi-countdown]")) {
  const expires = Date.parse(element.dataset.expires);
  const left = element.querySelector("[data-countdown-left]");
  const value = element.querySelector("[data-countdown-value]");
  const reveal = element.dataset.reveal ? document.getElementById(element.dataset.reveal) : null;
  if (Number.isNaN(expires) || !left || !value) continue;
  left.hidden = false;
  let timer = 0;
  const tick = () => {
    const seconds = Math.max(0, Math.round((expires - Date.now()) / 1000));
    value.textContent = `${Math.floor(seconds / 60)}:${pad(seconds % 60)}`;
    if (seconds === 0) {
      window.clearInterval(timer);
      if (reveal) reveal.hidden = false;
    }
  };
  tick();
  timer = window.setInterval(tick, 1000);
}
