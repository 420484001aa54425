/* The uncertainty calculator: builds the request of POST /api/uncertainty/evaluate from the form,
   shows the budget, the GUM and Monte Carlo results with the validation verdict, and the histogram of
   the Monte Carlo output with both coverage intervals. Field errors of the API are shown beside the
   input they name. */
(function () {
  "use strict";

  const root = document.getElementById("calculator");
  if (!root) return;
  const S = JSON.parse(document.getElementById("calc-strings").textContent);
  const initial = JSON.parse(document.getElementById("calc-initial").textContent) || {};
  const source = JSON.parse(document.getElementById("calc-source-data").textContent);
  const form = document.getElementById("calc-form");
  const inputsBody = document.getElementById("inputs-body");
  const corrBody = document.getElementById("corr-body");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;

  // Parameters offered per distribution (JCGM 101 clause 6; jiliang.uncertainty.distributions).
  const BOUNDS = ["low", "high", "value", "half_width"];
  const PARAMS = {
    normal: ["value", "u", "U", "k"],
    t: ["value", "scale"],
    type_a: ["observations"],
    rectangular: BOUNDS,
    triangular: BOUNDS,
    arcsine: BOUNDS,
    trapezoidal: BOUNDS.concat(["beta"]),
    curvilinear_trapezoid: BOUNDS.concat(["d"]),
  };
  const ALIASES = {gaussian: "normal", uniform: "rectangular", u_shaped: "arcsine", "u-shaped": "arcsine",
    student_t: "t", "student-t": "t", typea: "type_a", "type-a": "type_a", ctrap: "curvilinear_trapezoid"};
  const DESCRIPTIVE = ["description", "unit", "label", "source"];

  let lastPayload = null;
  let lastResult = null;
  let chart = null;

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const fmt = (x, digits = 4) => (x === null || x === undefined ? "∞" : Number.isFinite(x) ? Number(x).toPrecision(digits).replace(/\.?0+(e|$)/, "$1") : String(x));
  const dofText = (x) => (x === null || x === undefined ? "∞" : Number.isInteger(x) ? String(x) : x.toFixed(1));
  // ν_eff not evaluated (correlated finite-ν inputs with a fixed k, JCGM 100 G.4): a dash, not ∞
  const effDofText = (g) => (g.dof_evaluated === false ? "—" : dofText(g.dof));

  // --- rows -------------------------------------------------------------------------------------------
  function paramField(name, value) {
    const wrap = document.createElement("div");
    wrap.className = "input-group input-group-sm param-group" + (name === "observations" ? " w-100" : "");
    const label = document.createElement("span");
    label.className = "input-group-text px-1";
    label.textContent = (S.params && S.params[name]) || name;
    const input = document.createElement("input");
    input.className = "form-control param";
    input.dataset.param = name;
    input.setAttribute("aria-label", (S.params && S.params[name]) || name);
    if (value !== undefined) input.value = value === null ? "?" : Array.isArray(value) ? value.join(" ") : value;
    wrap.append(label, input);
    return wrap;
  }

  function setParams(row, kind, values) {
    const box = row.querySelector(".in-params");
    const old = {};
    box.querySelectorAll(".param").forEach((el) => { if (el.value !== "") old[el.dataset.param] = el.value; });
    box.replaceChildren();
    const names = (PARAMS[kind] || []).slice();
    const given = values || old;
    Object.keys(given).forEach((k) => { if (!names.includes(k)) names.push(k); });
    names.forEach((n) => box.append(paramField(n, given[n])));
  }

  function addInput(name, spec) {
    spec = spec || {};
    const row = document.getElementById("input-row-template").content.firstElementChild.cloneNode(true);
    let kind = String(spec.distribution || (spec.observations ? "type_a" : "normal")).toLowerCase();
    kind = ALIASES[kind] || kind;
    row.querySelector(".in-name").value = name || "";
    const select = row.querySelector(".in-dist");
    if (![...select.options].some((o) => o.value === kind)) select.add(new Option(kind, kind));
    select.value = kind;
    const values = {};
    const extra = {};
    Object.entries(spec).forEach(([k, v]) => {
      if (k === "distribution") return;
      if (k === "dof") { row.querySelector(".in-dof").value = v === null ? "?" : v; return; }
      if (DESCRIPTIVE.includes(k)) { extra[k] = v; return; }
      values[k === "a" ? "half_width" : k] = v;
    });
    row.dataset.extra = JSON.stringify(extra);
    setParams(row, kind, values);
    select.addEventListener("change", () => setParams(row, select.value));
    inputsBody.append(row);
    return row;
  }

  function addCorrelation(a, b, r) {
    const row = document.getElementById("corr-row-template").content.firstElementChild.cloneNode(true);
    row.querySelector(".corr-a").value = a || "";
    row.querySelector(".corr-b").value = b || "";
    row.querySelector(".corr-r").value = r === undefined ? "" : r;
    corrBody.append(row);
    return row;
  }

  root.addEventListener("click", (e) => {
    const btn = e.target.closest(".remove-row");
    if (btn) btn.closest("tr").remove();
  });
  document.getElementById("add-input").addEventListener("click", () => addInput("", {}).querySelector(".in-name").focus());
  document.getElementById("add-corr").addEventListener("click", () => addCorrelation().querySelector(".corr-a").focus());

  // --- form <-> request ---------------------------------------------------------------------------------
  function load(payload) {
    const model = payload.model;
    document.getElementById("model").value = typeof model === "string" ? model : model === undefined ? "" : JSON.stringify(model);
    inputsBody.replaceChildren();
    Object.entries(payload.inputs || {}).forEach(([name, spec]) => addInput(name, spec));
    corrBody.replaceChildren();
    (payload.correlations || []).forEach((c) => addCorrelation(c[0], c[1], c[2]));
    if (payload.k !== undefined && payload.k !== null) {
      document.getElementById("coverage-mode-k").checked = true;
      document.getElementById("coverage-k").value = payload.k;
    }
    if (payload.coverage_probability !== undefined) document.getElementById("coverage-p").value = payload.coverage_probability;
    document.getElementById("second-order").checked = !!payload.second_order;
    if (typeof payload.unit === "string") document.getElementById("unit").value = payload.unit;
    const mc = payload.monte_carlo;
    document.getElementById("mc-enabled").checked = mc !== null && mc !== false;
    if (mc && typeof mc === "object") {
      if (mc.trials !== undefined) document.getElementById("mc-trials").value = mc.trials;
      document.getElementById("mc-seed").value = mc.seed === undefined || mc.seed === null ? "" : mc.seed;
      document.getElementById("mc-adaptive").checked = !!mc.adaptive;
    }
  }

  // A cell's text as a JSON value: a number where it reads as one, "?" → null (to be filled), else the
  // text itself so that the engine names the field and says why.
  function cellValue(text) {
    const t = text.trim();
    if (t === "?") return null;
    if (t !== "" && Number.isFinite(Number(t))) return Number(t);
    return t;
  }

  function buildPayload() {
    const payload = {};
    const modelText = document.getElementById("model").value.trim();
    let model = modelText;
    if (/^[[{]/.test(modelText)) {
      try { model = JSON.parse(modelText); } catch (err) { model = modelText; }
    }
    payload.model = model;
    const inputs = {};
    inputsBody.querySelectorAll(".input-row").forEach((row) => {
      const name = row.querySelector(".in-name").value.trim();
      const kind = row.querySelector(".in-dist").value;
      const spec = kind === "normal" ? {} : {distribution: kind};
      row.querySelectorAll(".param").forEach((el) => {
        if (el.value.trim() === "") return;
        if (el.dataset.param === "observations") {
          spec.observations = el.value.trim() === "?" ? null : el.value.trim().split(/[\s,;]+/).map(cellValue);
        } else {
          spec[el.dataset.param] = cellValue(el.value);
        }
      });
      const dof = row.querySelector(".in-dof").value;
      if (dof.trim() !== "" && !["∞", "inf"].includes(dof.trim())) spec.dof = cellValue(dof);
      Object.assign(spec, JSON.parse(row.dataset.extra || "{}"));
      inputs[name] = spec;
    });
    payload.inputs = inputs;
    const corr = [];
    corrBody.querySelectorAll(".corr-row").forEach((row) => {
      const r = row.querySelector(".corr-r").value.trim();
      corr.push([row.querySelector(".corr-a").value.trim(), row.querySelector(".corr-b").value.trim(),
        r === "observations" ? r : cellValue(r)]);
    });
    if (corr.length) payload.correlations = corr;
    payload.coverage_probability = cellValue(document.getElementById("coverage-p").value);
    if (document.getElementById("coverage-mode-k").checked) payload.k = cellValue(document.getElementById("coverage-k").value);
    if (document.getElementById("second-order").checked) payload.second_order = true;
    const unit = document.getElementById("unit").value.trim();
    if (unit) payload.unit = unit;
    if (document.getElementById("mc-enabled").checked) {
      const mc = {};
      const adaptive = document.getElementById("mc-adaptive").checked;
      if (adaptive) mc.adaptive = true;
      else mc.trials = cellValue(document.getElementById("mc-trials").value);
      const seed = document.getElementById("mc-seed").value.trim();
      if (seed !== "") mc.seed = cellValue(seed);
      payload.monte_carlo = mc;
    } else {
      payload.monte_carlo = null;
    }
    return payload;
  }

  // --- errors beside the input they name ----------------------------------------------------------------
  function clearErrors() {
    root.querySelectorAll(".field-error").forEach((el) => el.remove());
    root.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
    const box = document.getElementById("form-error");
    box.classList.add("d-none");
    box.textContent = "";
  }

  function inputRow(name) {
    return [...inputsBody.querySelectorAll(".input-row")].find((r) => r.querySelector(".in-name").value.trim() === name);
  }

  function elementFor(field) {
    if (!field) return null;
    const parts = field.split(".");
    if (parts[0] === "inputs" && parts.length >= 2) {
      const row = inputRow(parts[1]);
      if (!row) return document.getElementById("inputs-table");
      const param = parts[2];
      if (!param) return row.querySelector(".in-name");
      if (param === "dof") return row.querySelector(".in-dof");
      if (param === "distribution") return row.querySelector(".in-dist");
      const key = param === "a" ? "half_width" : param;
      return row.querySelector(`.param[data-param="${CSS.escape(key)}"]`) || row.querySelector(".in-params");
    }
    if (parts[0] === "correlations") {
      const rows = corrBody.querySelectorAll(".corr-row");
      const i = Number(parts[1]);
      return Number.isInteger(i) && rows[i] ? rows[i].querySelector(".corr-r") : document.getElementById("corr-table");
    }
    if (parts[0] === "monte_carlo") return document.getElementById(parts[1] === "seed" ? "mc-seed" : "mc-trials");
    const exact = root.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (exact) return exact;
    return root.querySelector(`[data-field="${CSS.escape(parts[0])}"]`);
  }

  function showError(body) {
    const field = body.field || null;
    let detail = body.detail || JSON.stringify(body);
    if (body.column !== undefined && body.column !== null) detail += ` (${S.at_column} ${body.column + 1})`;
    const el = elementFor(field);
    const note = document.createElement("div");
    note.className = "invalid-feedback d-block field-error";
    note.dataset.field = field || "";
    note.textContent = field ? `${field}: ${detail}` : detail;
    if (el) {
      el.classList.add("is-invalid");
      const anchor = el.closest(".input-group") || el;
      anchor.after(note);
      el.scrollIntoView({block: "center", behavior: "smooth"});
    } else {
      const box = document.getElementById("form-error");
      box.classList.remove("d-none");
      box.append(note);
      note.classList.remove("invalid-feedback");
    }
  }

  async function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(payload),
    });
  }

  // --- results ------------------------------------------------------------------------------------------
  function budgetTable(output, budget) {
    const head = [["输入量", S.input_quantity], ["估计值", S.estimate], ["标准不确定度", S.standard_uncertainty],
      ["分布", S.distribution], ["灵敏系数", S.sensitivity], ["|c·u|", S.contribution], ["自由度", S.dof],
      ["方差贡献", S.share]];
    const rows = output.budget.map((r) => `<tr class="budget-row" data-source="${esc(r.source)}">
      <td class="font-monospace">${esc(r.source)}${r.description ? ` <small class="text-muted">${esc(r.description)}</small>` : ""}</td>
      <td title="${r.estimate}">${fmt(r.estimate, 8)}</td><td title="${r.std_uncertainty}">${fmt(r.std_uncertainty)}</td>
      <td>${esc(r.distribution_label)}</td><td title="${r.sensitivity}">${fmt(r.sensitivity)}</td>
      <td title="${r.contribution}">${fmt(r.contribution)}</td><td>${dofText(r.dof)}</td>
      <td>${(r.share * 100).toFixed(2)} %</td></tr>`).join("");
    const d = (budget && budget.display) || output.gum.display;
    const unit = output.unit ? " " + esc(output.unit) : "";
    return `<table class="table table-sm table-bordered budget-table" data-output="${esc(output.name)}">
      <thead class="table-light"><tr>${head.map(([zh, en]) => `<th>${zh}${en !== zh ? `<br><small class="text-muted">${esc(en)}</small>` : ""}</th>`).join("")}</tr></thead>
      <tbody>${rows}${Math.abs(output.budget_other_share || 0) > 5e-5 ? `<tr class="text-muted"><td colspan="7">${esc(S.other_share)}</td>
      <td>${(output.budget_other_share * 100).toFixed(2)} %</td></tr>` : ""}</tbody>
      <tfoot><tr><th colspan="8" class="fw-normal">u<sub>c</sub> = ${esc(d.u)}${unit} · ν<sub>eff</sub> = ${effDofText(output.gum)}
      · k = ${esc(d.k)} · U = ${esc(d.U)}${unit} · y = ${esc(d.y)}${unit}</th></tr></tfoot></table>`;
  }

  function dl(items) {
    return `<dl class="row mb-0">${items.map(([k, v, raw]) =>
      `<dt class="col-6 fw-normal text-muted">${esc(k)}</dt><dd class="col-6 mb-1"${raw !== undefined ? ` title="${esc(S.unrounded)}: ${esc(raw)}"` : ""}>${v}</dd>`).join("")}</dl>`;
  }

  function renderOutput(j) {
    const out = lastResult.outputs[j];
    const g = out.gum;
    const unit = out.unit ? " " + esc(out.unit) : "";
    document.getElementById("gum-result").innerHTML = dl([
      ["y", esc(g.display.y) + unit + ` <small class="text-muted">(${fmt(g.y, 12)})</small>`, g.y],
      [S.combined + " u", esc(g.display.u) + unit + ` <small class="text-muted">(${fmt(g.u, 6)})</small>`, g.u],
      [S.effective_dof, effDofText(g)],
      [S.coverage_factor + " k", esc(g.display.k), g.k],
      [S.expanded + " U", esc(g.display.U) + unit + ` <small class="text-muted">(${fmt(g.U, 6)})</small>`, g.U],
      [S.interval, `[${esc(g.display.interval[0])}, ${esc(g.display.interval[1])}]`, g.interval.join(", ")],
    ]);
    const mc = out.monte_carlo;
    const v = out.validation;
    const verdict = document.getElementById("validation-result");
    if (!mc) {
      document.getElementById("mc-result").innerHTML = `<span class="text-muted">${esc(S.no_mc)}</span>`;
      verdict.innerHTML = "";
      if (chart) { chart.dispose(); chart = null; }
      return;
    }
    document.getElementById("mc-result").innerHTML = dl([
      ["y", esc(mc.display.y) + unit + ` <small class="text-muted">(${fmt(mc.y, 12)})</small>`, mc.y],
      ["u", esc(mc.display.u) + unit + ` <small class="text-muted">(${fmt(mc.u, 6)})</small>`, mc.u],
      [S.symmetric, `[${esc(mc.display.interval_symmetric[0])}, ${esc(mc.display.interval_symmetric[1])}]`, mc.interval_symmetric.join(", ")],
      [S.shortest, `[${esc(mc.display.interval_shortest[0])}, ${esc(mc.display.interval_shortest[1])}]`, mc.interval_shortest.join(", ")],
      [S.trials, String(mc.trials) + (mc.adaptive ? ` (${esc(S.adaptive)}${mc.converged === false ? ", " + esc(S.not_converged) : ""})` : "")],
      [S.seed, String(mc.seed)],
    ]);
    verdict.innerHTML = v ? `<span class="badge ${v.gum_validated ? "text-bg-success" : "text-bg-warning"}" id="validation-verdict"
      data-validated="${v.gum_validated}">${esc(v.gum_validated ? S.validated : S.not_validated)}</span>
      <small class="text-muted ms-2">d<sub>low</sub> = ${fmt(v.d_low, 2)}, d<sub>high</sub> = ${fmt(v.d_high, 2)}, δ = ${fmt(v.delta, 2)}</small>` : "";
    drawHistogram(out);
  }

  // ln Γ(x), Lanczos approximation (g = 7, n = 9), for the t density below.
  function lnGamma(x) {
    const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
    if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
    x -= 1;
    let a = c[0];
    const t = x + 7.5;
    for (let i = 1; i < 9; i++) a += c[i] / (x + i);
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }

  // The GUM's distribution of the output in units of u: t with ν_eff degrees of freedom (JCGM 101
  // 6.4.9.7 scaling), normal when ν_eff is infinite or large.
  function gumDensity(z, dof) {
    if (dof === null || dof === undefined || dof > 1e6) return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const lnc = lnGamma((dof + 1) / 2) - lnGamma(dof / 2) - 0.5 * Math.log(dof * Math.PI);
    return Math.exp(lnc - (dof + 1) / 2 * Math.log(1 + z * z / dof));
  }

  function drawHistogram(out) {
    const mc = out.monte_carlo;
    const h = mc.histogram;
    const el = document.getElementById("mc-histogram");
    if (!window.echarts) { el.textContent = "ECharts is not loaded."; return; }
    const width = h.edges[1] - h.edges[0];
    const bars = h.counts.map((c, i) => [(h.edges[i] + h.edges[i + 1]) / 2, c / (mc.trials * width)]);
    const g = out.gum;
    const curve = [];
    const lo = h.edges[0];
    const hi = h.edges[h.edges.length - 1];
    for (let i = 0; i <= 200; i++) {
      const x = lo + (hi - lo) * i / 200;
      curve.push([x, g.u > 0 ? gumDensity((x - g.y) / g.u, g.dof) / g.u : 0]);
    }
    const [s0, s1] = mc.interval_symmetric;
    const [t0, t1] = mc.interval_shortest;
    const line = (x, name, color, type, position) => ({xAxis: x, name, lineStyle: {color, type, width: 2},
      label: {formatter: name, color, position, fontSize: 11}});
    if (chart) chart.dispose();
    chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      grid: {left: 60, right: 30, top: 60, bottom: 40},
      legend: {top: 0, data: [S.mc, S.gum_density]},
      tooltip: {trigger: "axis"},
      xAxis: {type: "value", min: lo, max: hi, scale: true, name: out.unit || "", axisLabel: {formatter: (x) => fmt(x, 6)}},
      yAxis: {type: "value", name: S.frequency, nameGap: 18, axisLabel: {formatter: (x) => fmt(x, 3)}},
      series: [
        {name: S.mc, type: "bar", data: bars, barWidth: "95%", barCategoryGap: 0, itemStyle: {color: "#6c8ebf"},
          markLine: {symbol: "none", data: [
            line(s0, S.symmetric, "#d62728", "dashed", "insideEndTop"), line(s1, S.symmetric, "#d62728", "dashed", "insideEndTop"),
            line(t0, S.shortest, "#2ca02c", "solid", "insideStartTop"), line(t1, S.shortest, "#2ca02c", "solid", "insideStartTop")]},
          markArea: {silent: true, itemStyle: {color: "rgba(44, 160, 44, 0.08)"}, data: [[{xAxis: t0}, {xAxis: t1}]]}},
        {name: S.gum_density, type: "line", data: curve, showSymbol: false, smooth: true, lineStyle: {color: "#ff7f0e"}},
      ],
    });
  }

  function render(result) {
    lastResult = result;
    document.getElementById("results").classList.remove("d-none");
    document.getElementById("budget-container").innerHTML = result.outputs.map((o, j) =>
      (result.outputs.length > 1 ? `<h2 class="h6">${esc(o.name)}</h2>` : "") + budgetTable(o, result.budgets[j])).join("");
    const select = document.getElementById("output-select");
    select.replaceChildren(...result.outputs.map((o, j) => new Option(o.name, j)));
    select.classList.toggle("d-none", result.outputs.length < 2);
    document.getElementById("notes").innerHTML = (result.notes || []).map((n) => `<li>${esc(n)}</li>`).join("");
    renderOutput(0);
  }
  document.getElementById("output-select").addEventListener("change", (e) => renderOutput(Number(e.target.value)));
  window.addEventListener("resize", () => chart && chart.resize());

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    const payload = buildPayload();
    const button = document.getElementById("evaluate");
    button.disabled = true;
    const label = button.innerHTML;
    button.textContent = S.evaluating;
    try {
      const response = await post(root.dataset.evaluateUrl, payload);
      const body = await response.json().catch(() => ({detail: response.statusText}));
      const results = document.getElementById("results");
      if (response.ok) {
        lastPayload = payload;
        results.classList.remove("opacity-50");
        render(body);
      } else {
        results.classList.add("opacity-50");  // what is shown is the previous evaluation
        showError(body);
      }
    } catch (err) {
      showError({detail: S.network_error});
    } finally {
      button.disabled = false;
      button.innerHTML = label;
    }
  });

  // --- files and saving ---------------------------------------------------------------------------------
  async function exportFile(fmtName) {
    clearErrors();
    const payload = lastPayload || buildPayload();
    const response = await post(`${root.dataset.exportUrl}?format=${fmtName}`, payload);
    if (!response.ok) {
      showError(await response.json().catch(() => ({detail: response.statusText})));
      return;
    }
    const blob = await response.blob();
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = match ? match[1] : `uncertainty-budget.${fmtName}`;
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  document.getElementById("export-xlsx").addEventListener("click", () => exportFile("xlsx"));
  document.getElementById("export-pdf").addEventListener("click", () => exportFile("pdf"));

  function saveMessage(ok, text, link) {
    const box = document.getElementById("save-message");
    box.className = "small mt-2 " + (ok ? "text-success" : "text-danger");
    box.innerHTML = esc(text) + (link ? ` <a href="${esc(link[0])}">${esc(link[1])}</a>` : "");
  }

  function apiErrors(body) {
    if (body && typeof body === "object") {
      return Object.entries(body).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" ") : typeof v === "object" ? JSON.stringify(v) : v}`).join("; ");
    }
    return String(body);
  }

  const saveBudget = document.getElementById("save-budget");
  if (saveBudget) {
    saveBudget.addEventListener("click", async () => {
      const title = document.getElementById("save-title").value.trim();
      if (!lastPayload) return saveMessage(false, S.evaluate_first);
      if (!title) return saveMessage(false, S.title_needed);
      const data = {title, payload: lastPayload};
      if (source && source.kind === "template") data.template = source.id;
      else if (source && source.kind === "budget" && source.template) data.template = source.template;
      const response = await post(root.dataset.budgetsApi, data);
      const body = await response.json().catch(() => ({}));
      if (response.ok) saveMessage(true, S.saved_budget, [`${root.dataset.budgetsPage}${body.id}/`, body.display]);
      else saveMessage(false, apiErrors(body));
    });
    document.getElementById("save-template").addEventListener("click", async () => {
      const name = document.getElementById("template-name").value.trim();
      if (!name) return saveMessage(false, S.name_needed);
      const payload = buildPayload();
      const options = {};
      Object.entries(payload).forEach(([k, v]) => { if (!["model", "inputs", "correlations"].includes(k)) options[k] = v; });
      const template = {model: payload.model, inputs: payload.inputs, correlations: payload.correlations || [], options};
      const response = await post(root.dataset.templatesApi,
        {name, procedure: document.getElementById("template-procedure").value.trim(), template});
      const body = await response.json().catch(() => ({}));
      if (response.ok) saveMessage(true, S.saved_template, [`${root.dataset.templatesPage}${body.id}/`, body.display]);
      else saveMessage(false, apiErrors(body));
    });
  }

  load(initial);
})();
