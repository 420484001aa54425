// The inspector's phone (supervision/scan_views.py): read the QR code on an instrument's label with the camera,
// through the browser's BarcodeDetector where there is one and jsQR (static/vendor, from npm) elsewhere; fill the
// finding's position from the browser's geolocation; warn about a photo too large before it is sent. From a file:
// the Content Security Policy allows no inline script.
(function () {
  "use strict";

  // The code in what a QR code holds: a public URL ending in /i/<code>, or a bare code.
  function codeFromText(text) {
    text = String(text || "").trim();
    const m = text.match(/\/i\/([^/?#\s]+)\/?(?:[?#].*)?$/);
    return (m ? decodeURIComponent(m[1]) : text).replace(/\s+/g, "").toUpperCase();
  }

  function startScanner(page) {
    const box = document.getElementById("scan-camera");
    const video = document.getElementById("scan-video");
    const canvas = document.getElementById("scan-canvas");
    const status = document.getElementById("scan-camera-status");
    const problem = document.getElementById("scan-camera-error");
    const form = document.getElementById("scan-form");
    const input = document.getElementById("scan-code");
    let stream = null;
    let detector = null;
    let jsQR = null;
    let done = false;

    function fail(key) {
      problem.textContent = problem.dataset[key];
      problem.classList.remove("d-none");
      box.classList.add("d-none");
      if (stream) stream.getTracks().forEach(t => t.stop());
    }

    function found(text) {
      if (done) return;
      const code = codeFromText(text);
      if (!code) return;
      done = true;
      if (stream) stream.getTracks().forEach(t => t.stop());
      input.value = code;
      form.submit();
    }

    function loadJsQR() {
      return new Promise((resolve, reject) => {
        if (window.jsQR) return resolve(window.jsQR);
        const s = document.createElement("script");
        s.src = page.dataset.jsqr;
        s.onload = () => (window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR")));
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }

    async function tick() {
      if (done || !stream) return;
      if (video.readyState >= 2) {
        try {
          if (detector) {
            const codes = await detector.detect(video);
            if (codes.length) return found(codes[0].rawValue);
          } else if (jsQR) {
            const w = video.videoWidth, h = video.videoHeight;
            canvas.width = w; canvas.height = h;
            const ctx = canvas.getContext("2d", { willReadFrequently: true });
            ctx.drawImage(video, 0, 0, w, h);
            const hit = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
            if (hit && hit.data) return found(hit.data);
          }
        } catch (e) { /* a frame that cannot be read: try the next */ }
      }
      window.setTimeout(() => window.requestAnimationFrame(tick), 150);
    }

    async function start() {
      problem.classList.add("d-none");
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return fail("unsupported");
      try {
        if ("BarcodeDetector" in window) {
          const formats = await window.BarcodeDetector.getSupportedFormats();
          if (formats.includes("qr_code")) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        }
        if (!detector) jsQR = await loadJsQR();
      } catch (e) {
        return fail("unsupported");
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (e) {
        return fail("denied");
      }
      box.classList.remove("d-none");
      status.textContent = problem.dataset.looking;
      video.srcObject = stream;
      await video.play().catch(() => {});
      tick();
    }

    document.getElementById("scan-camera-button").addEventListener("click", start);
    input.addEventListener("change", () => { input.value = codeFromText(input.value); });
  }

  function startFindingForm(form) {
    const lat = form.querySelector("input[name$='latitude']");
    const lon = form.querySelector("input[name$='longitude']");
    const text = document.getElementById("position-text");
    const button = document.getElementById("position-button");
    button.addEventListener("click", () => {
      if (!navigator.geolocation) { text.textContent = text.dataset.failed; return; }
      text.textContent = text.dataset.wait;
      navigator.geolocation.getCurrentPosition(pos => {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        text.textContent = `${text.dataset.label}: ${lat.value}, ${lon.value} (±${Math.round(pos.coords.accuracy)} m)`;
        text.dataset.set = "1";
      }, () => { text.textContent = text.dataset.failed; }, { enableHighAccuracy: true, timeout: 15000 });
    });

    const photos = form.querySelector("input[type=file]");
    const warning = document.getElementById("photo-warning");
    const max = Number(form.dataset.maxBytes);
    const maxCount = Number(form.dataset.maxPhotos);
    function check() {
      const problems = [];
      const files = Array.from(photos.files || []);
      if (files.length > maxCount) problems.push(form.dataset.tooMany);
      files.filter(f => f.size > max).forEach(f => problems.push(
        form.dataset.tooLarge.replace("{name}", f.name).replace("{mb}", (f.size / 1048576).toFixed(1))));
      warning.textContent = problems.join(" ");
      return problems.length === 0;
    }
    if (photos) {
      photos.addEventListener("change", check);
      // The server checks again; this only spares sending 50 MB over a phone's connection.
      form.addEventListener("submit", e => { if (!check()) e.preventDefault(); });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.getElementById("scan-page");
    if (page) startScanner(page);
    const form = document.getElementById("finding-form");
    if (form) startFindingForm(form);
  });
})();
