// The paynorm playground: talks to this server's API only (/v1/providers, /v1/explain,
// /v1/catalog). Every text from the server goes in with textContent, never as HTML.
"use strict";

const TEXTS = {
  en: {
    title: "playground", token: "Bearer token", token_hint: "(only if the server has one)",
    tab_normalize: "Normalize", tab_catalog: "Catalog", provider: "Provider",
    response: "Provider response (JSON)", context: "Context (optional)", initiator: "Initiator",
    network: "Network", run: "Normalize", record: "Record", trace: "Explain trace",
    steps: "Steps tried", fields: "Fields read", decision: "Decision", json: "JSON answer",
    kind: "Kind", target: "Target", value: "Value", outcome: "Outcome", entry: "Entry",
    code: "Code", why: "Why", field: "Field", pointer: "Pointer", raw: "Raw", note: "Note",
    filter: "Filter", category: "Category", message: "Message",
    customer_message: "Customer message", decline_type: "Decline type", action: "Action",
    retry_after_seconds: "Retry after (s)", rule: "Rule", via: "Via",
    id: "ID", decline_type_source: "Decline type from", action_source: "Action from",
    context_adjustment: "Context adjustment",
    no_provider: "Pick a provider.", no_response: "Paste the provider's response.",
    unauthorized: "The server wants a bearer token: paste it above.",
    network_error: "The server did not answer", providers_failed: "Could not load the providers",
  },
  zh: {
    title: "调试台", token: "Bearer 令牌", token_hint: "（仅当服务器需要时）",
    tab_normalize: "归一化", tab_catalog: "错误码目录", provider: "支付渠道",
    response: "渠道返回（JSON）", context: "上下文（可选）", initiator: "发起方",
    network: "卡组织", run: "归一化", record: "归一化结果", trace: "解释过程",
    steps: "尝试的步骤", fields: "读取的字段", decision: "决策", json: "JSON 原文",
    kind: "类型", target: "目标", value: "值", outcome: "结果", entry: "条目",
    code: "代码", why: "原因", field: "字段", pointer: "路径", raw: "原始值", note: "备注",
    filter: "筛选", category: "类别", message: "说明",
    customer_message: "给顾客的说明", decline_type: "拒绝类型", action: "建议操作",
    retry_after_seconds: "重试间隔（秒）", rule: "规则", via: "经由",
    id: "ID", decline_type_source: "拒绝类型来源", action_source: "操作来源",
    context_adjustment: "上下文调整",
    no_provider: "请选择支付渠道。", no_response: "请粘贴渠道返回。",
    unauthorized: "服务器需要 Bearer 令牌：请在上方粘贴。",
    network_error: "服务器没有响应", providers_failed: "无法加载支付渠道",
  },
};

const state = { lang: "en", catalog: null, last: null };
const $ = (id) => document.getElementById(id);
const t = (key) => TEXTS[state.lang][key] || TEXTS.en[key] || key;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function shown(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// ---- the API ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, kind, message) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

async function api(method, path, body) {
  const headers = {};
  const token = $("token").value.trim();
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, "network", t("network_error") + ": " + e.message);
  }
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON: reported below */ }
  if (!response.ok) {
    const err = json && json.error ? json.error : {};
    let message = err.message || text || response.statusText;
    if (response.status === 401) message = t("unauthorized") + " (" + message + ")";
    throw new ApiError(response.status, err.kind || "http-" + response.status, message);
  }
  return json;
}

// ---- errors -----------------------------------------------------------------------------

function showError(box, err) {
  const where = box === "notice" ? $("notice") : $("error");
  if (box === "notice") {
    where.textContent = (err.status ? err.status + " " : "") + err.kind + ": " + err.message;
  } else {
    $("error-status").textContent = err.status ? "HTTP " + err.status : "";
    $("error-kind").textContent = err.kind;
    $("error-message").textContent = err.message;
  }
  where.hidden = false;
  if (err.status === 401) $("token").focus();
}

function clearErrors() {
  $("notice").hidden = true;
  $("error").hidden = true;
}

// ---- providers --------------------------------------------------------------------------

async function loadProviders() {
  const select = $("provider");
  const previous = select.value;
  try {
    const providers = await api("GET", "/v1/providers");
    select.replaceChildren();
    for (const p of providers) {
      const option = el("option", p.id + " — " + p.name);
      option.value = p.id;
      select.append(option);
    }
    if (previous && providers.some((p) => p.id === previous)) select.value = previous;
    $("notice").hidden = true;
  } catch (err) {
    err.message = t("providers_failed") + ": " + err.message;
    showError("notice", err);
  }
}

// ---- normalize and explain --------------------------------------------------------------

function requestBody() {
  const provider = $("provider").value;
  const pasted = $("response").value.trim();
  if (!provider) throw new ApiError(0, "missing-provider", t("no_provider"));
  if (!pasted) throw new ApiError(0, "missing-response", t("no_response"));
  const context = {};
  if ($("initiator").value) context.initiator = $("initiator").value;
  if ($("network").value.trim()) context.network = $("network").value.trim().toLowerCase();
  const head = { provider };
  if (Object.keys(context).length) head.context = context;
  let response;
  try {
    response = JSON.parse(pasted);
  } catch (_) {
    // Not JSON: send it as typed, so the server's own `invalid-json` answer is shown (with
    // the position moved from the body to the paste, see run()).
    const opened = JSON.stringify(head).slice(0, -1) + ',"response":';
    return { body: opened + pasted + "}", offset: opened.length };
  }
  return { body: JSON.stringify({ ...head, response }), offset: 0 };
}

async function run() {
  clearErrors();
  const button = $("run");
  let body;
  try {
    body = requestBody();
  } catch (err) {
    showError("error", err);
    return;
  }
  button.disabled = true;
  try {
    const answer = await api("POST", "/v1/explain?lang=" + state.lang, body.body);
    state.last = body.body;
    render(answer);
  } catch (err) {
    $("result").hidden = true;
    if (body.offset && err.kind === "invalid-json") {
      // The paste starts `offset` characters into the body's first line.
      err.message = err.message.replace(/at line 1 column (\d+)/, (_, column) =>
        "at line 1 column " + Math.max(1, Number(column) - body.offset) + " of the response");
    }
    showError("error", err);
  } finally {
    button.disabled = false;
  }
}

const RECORD_KEYS = ["id", "category", "outcome", "decline_type", "action",
  "retry_after_seconds", "customer_message", "provider", "rule", "via", "raw"];
const DECISION_KEYS = ["outcome", "decline_type", "decline_type_source", "action",
  "action_source", "retry_after_seconds", "context_adjustment"];

function kvRows(table, object, keys) {
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const key of keys) {
    if (!(key in object)) continue;
    const row = el("tr");
    row.dataset.key = key;
    row.append(el("th", t(key)), el("td", shown(object[key])));
    body.append(row);
  }
}

function render(answer) {
  const record = answer.record;
  const trace = answer.trace;
  $("record-code").textContent = record.code;
  $("record-message").textContent = record.message;
  kvRows($("record"), record, RECORD_KEYS);
  $("conclusion").textContent = trace.conclusion;

  const steps = $("steps").tBodies[0];
  steps.replaceChildren();
  trace.steps.forEach((s, i) => {
    const row = el("tr", null, s.outcome);
    row.append(el("td", i + 1), el("td", s.kind), el("td", s.target), el("td", shown(s.value)),
      el("td", s.outcome, "outcome"), el("td", shown(s.entry)), el("td", shown(s.code)),
      el("td", s.why));
    steps.append(row);
  });

  const fields = $("fields").tBodies[0];
  fields.replaceChildren();
  for (const f of trace.fields) {
    const row = el("tr");
    row.append(el("td", f.field), el("td", shown(f.pointer)), el("td", shown(f.raw)),
      el("td", shown(f.value)), el("td", shown(f.note)));
    fields.append(row);
  }
  kvRows($("decision"), trace.decision, DECISION_KEYS);
  $("json").textContent = JSON.stringify(answer, null, 2);
  $("result").hidden = false;
}

// ---- catalog ----------------------------------------------------------------------------

async function loadCatalog() {
  try {
    state.catalog = await api("GET", "/v1/catalog");
    $("notice").hidden = true;
    renderCatalog();
  } catch (err) {
    showError("notice", err);
  }
}

function renderCatalog() {
  if (!state.catalog) return;
  const needle = $("filter").value.trim().toLowerCase();
  const body = $("catalog").tBodies[0];
  body.replaceChildren();
  for (const entry of state.catalog) {
    const text = entry.messages[state.lang] || entry.messages.en;
    const haystack = [entry.code, entry.category, entry.outcome, entry.messages.en,
      entry.messages.zh].join(" ").toLowerCase();
    if (needle && !haystack.includes(needle)) continue;
    const row = el("tr");
    row.dataset.code = entry.code;
    row.append(el("td", entry.code), el("td", entry.category), el("td", entry.outcome),
      el("td", text, "text"));
    body.append(row);
  }
}

// ---- language and tabs ------------------------------------------------------------------

function setLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const b of document.querySelectorAll(".lang")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  }
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  renderCatalog();
  // The record's texts come from the server in the request's language: ask again.
  if (state.last && !$("result").hidden) run();
}

function showTab(name) {
  for (const tab of ["normalize", "catalog"]) {
    $("tab-" + tab).setAttribute("aria-selected", String(tab === name));
    $("panel-" + tab).hidden = tab !== name;
  }
  if (name === "catalog" && !state.catalog) loadCatalog();
}

document.addEventListener("DOMContentLoaded", () => {
  $("lang-en").addEventListener("click", () => setLang("en"));
  $("lang-zh").addEventListener("click", () => setLang("zh"));
  $("tab-normalize").addEventListener("click", () => showTab("normalize"));
  $("tab-catalog").addEventListener("click", () => showTab("catalog"));
  $("run").addEventListener("click", run);
  $("response").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run();
  });
  $("filter").addEventListener("input", renderCatalog);
  $("token").addEventListener("change", () => {
    loadProviders();
    if (!$("panel-catalog").hidden) loadCatalog();
  });
  const preferred = (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  setLang(preferred);
  loadProviders();
});
