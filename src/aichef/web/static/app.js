// AI Chef page: profile form, live progress from the event stream, result, recent sessions.
// Plain browser JavaScript, no build step. Every value from the server goes in through textContent.
"use strict";

const TEXT = {
  ko: {
    tagline: "우리 가족 맞춤 레시피",
    formTitle: "누구를 위한 요리인가요?",
    formLead: "식단 목표와 알레르기를 알려 주시면 영양 성분과 장보기 비용까지 계산해 드립니다.",
    target: "식단 목표", babyAge: "아기 개월 수", months: "개월",
    babyHint: "{min}~{max}개월 아기의 이유식을 만듭니다.",
    fridge: "냉장고 재료", fridgePlaceholder: "예: 두부, 애호박, 달걀",
    fridgeHint: "쉼표로 구분해 주세요. 가진 재료를 먼저 활용합니다.",
    fridgeRequired: "‘냉장고 파먹기’는 재료를 하나 이상 적어 주세요.",
    allergies: "알레르기", allergiesHint: "해당 재료는 레시피에서 빼고 안전한 대체 재료를 씁니다.",
    conditions: "건강 상태", cookingLevel: "요리 실력", cuisine: "선호 요리", servings: "인분",
    budget: "예산", won: "원", maxCalories: "1인분 최대 열량", maxCookingTime: "최대 조리 시간",
    minutes: "분", optional: "선택", spicy: "매운 정도", submit: "레시피 만들기", submitting: "요청 중…",
    waiting: "준비 중", progressLabel: "진행률",
    emptyTitle: "레시피가 여기에 표시됩니다",
    emptyText: "왼쪽에서 조건을 고르고 ‘레시피 만들기’를 누르세요. 재료별 영양 성분(USDA 기준), 식단 기준 점검표, 장보기 목록과 가격을 함께 보여 드립니다.",
    recent: "최근 세션", refresh: "새로고침", noRecent: "아직 만든 레시피가 없습니다.",
    footer: "영양 정보는 USDA SR28 기준 계산값이며, 가격은 표시된 출처의 추정치입니다. 질환이 있거나 아기의 식단이 걱정되면 전문가와 상의하세요.",
    fixFields: "입력을 확인해 주세요:", networkError: "서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
    failed: "레시피를 만들지 못했습니다", notFound: "세션을 찾을 수 없습니다.",
    cookingTime: "조리 시간", difficulty: "난이도", servingsBadge: "분량", minutesShort: "{n}분", servingsN: "{n}인분",
    ingredients: "재료", steps: "만드는 법", notes: "조정한 내용",
    nutrition: "영양 성분", perServing: "1인분", total: "전체", energyShare: "열량 구성",
    protein: "단백질", fat: "지방", carbohydrate: "탄수화물", kcal: "열량", fiber: "식이섬유", sugar: "당류",
    sodium: "나트륨", netCarbs: "순탄수화물",
    nutritionSource: "USDA SR28 식품 성분 자료로 재료별 중량에서 계산했습니다.",
    compliance: "식단 기준 점검", pass: "충족", warn: "주의", fail: "미충족",
    shopping: "장보기 목록", item: "재료", product: "상품", pkg: "포장", qty: "수량", price: "가격",
    totalCost: "총 구매 비용", shippingCost: "예상 배송비", perServingCost: "1인분 비용", usedCost: "사용분 비용",
    budgetOk: "예산 {budget} 이내", budgetOver: "예산 {budget} 초과", estimate: "추정", owned: "이미 있는 재료: {items}",
    pricesEstimate: "가격은 참고용 추정치이며 실제 판매가와 다를 수 있습니다.", packs: "{n}개",
    nothingToBuy: "더 살 재료가 없습니다. 가진 재료로 만들 수 있어요.", donutUnit: "kcal / 1인분",
    status: { processing: "진행 중", completed: "완료", failed: "실패" },
    phases: {
      recipe_generation: "레시피 구성 중", recipe_completed: "레시피 완성",
      price_lookup: "가격 확인 중", price_completed: "가격 확인 완료", combining_results: "결과 정리 중",
      finished: "완료",
    },
  },
  en: {
    tagline: "Recipes made for your family",
    formTitle: "Who are we cooking for?",
    formLead: "Tell us the diet goal and allergies; we work out the nutrition and the shopping cost too.",
    target: "Diet goal", babyAge: "Baby's age", months: "months",
    babyHint: "Baby food for {min} to {max} months.",
    fridge: "In your fridge", fridgePlaceholder: "e.g. tofu, zucchini, eggs",
    fridgeHint: "Separate with commas. What you have is used first.",
    fridgeRequired: "“Cook from my fridge” needs at least one ingredient.",
    allergies: "Allergies", allergiesHint: "These are left out and replaced with safe substitutes.",
    conditions: "Health conditions", cookingLevel: "Cooking level", cuisine: "Cuisine", servings: "Servings",
    budget: "Budget", won: "KRW", maxCalories: "Max calories per serving", maxCookingTime: "Max cooking time",
    minutes: "min", optional: "optional", spicy: "Spiciness", submit: "Make my recipe", submitting: "Sending…",
    waiting: "Getting ready", progressLabel: "Progress",
    emptyTitle: "Your recipe will appear here",
    emptyText: "Choose your options and press “Make my recipe”. You get nutrition per ingredient (USDA data), a diet checklist, and a shopping list with prices.",
    recent: "Recent sessions", refresh: "Refresh", noRecent: "No recipes yet.",
    footer: "Nutrition is computed from USDA SR28; prices are estimates from the sources shown. Ask a professional when a condition or your baby's diet worries you.",
    fixFields: "Please check:", networkError: "Cannot reach the server. Please try again shortly.",
    failed: "Could not make a recipe", notFound: "No such session.",
    cookingTime: "Time", difficulty: "Difficulty", servingsBadge: "Serves", minutesShort: "{n} min", servingsN: "{n}",
    ingredients: "Ingredients", steps: "Steps", notes: "What we adjusted",
    nutrition: "Nutrition", perServing: "Per serving", total: "Total", energyShare: "Energy from",
    protein: "Protein", fat: "Fat", carbohydrate: "Carbohydrate", kcal: "Energy", fiber: "Fibre", sugar: "Sugars",
    sodium: "Sodium", netCarbs: "Net carbs",
    nutritionSource: "Computed from each ingredient's weight with USDA SR28 food composition data.",
    compliance: "Diet checklist", pass: "met", warn: "caution", fail: "not met",
    shopping: "Shopping list", item: "Ingredient", product: "Product", pkg: "Package", qty: "Qty", price: "Price",
    totalCost: "Total to buy", shippingCost: "Shipping", perServingCost: "Cost per serving", usedCost: "Cost of amounts used",
    budgetOk: "Within budget of {budget}", budgetOver: "Over budget of {budget}", estimate: "estimate", owned: "Already have: {items}",
    pricesEstimate: "Prices are reference estimates and may differ from what shops charge.", packs: "{n}",
    nothingToBuy: "Nothing to buy: you have everything this recipe needs.", donutUnit: "kcal a serving",
    status: { processing: "Running", completed: "Completed", failed: "Failed" },
    phases: {
      recipe_generation: "Composing the recipe", recipe_completed: "Recipe ready",
      price_lookup: "Checking prices", price_completed: "Prices checked", combining_results: "Putting it together",
      finished: "Done",
    },
  },
};

const FIELD_INPUT = {
  "profile.target": "targets", "profile.babyAgeMonths": "babyAgeMonths", "profile.fridgeIngredients": "fridgeIngredients",
  "profile.allergies": "allergens", "profile.healthConditions": "conditions", "profile.cookingLevel": "cookingLevel",
  "profile.preferences.cuisine": "cuisine", "profile.preferences.spicyLevel": "spicyLevel", "profile.servings": "servings",
  "profile.budget": "budget", "constraints.maxCalories": "maxCalories", "constraints.maxCookingTime": "maxCookingTime",
};

const state = { lang: "ko", options: null, current: null, result: null, session: null, source: null, poll: null };

const $ = (id) => document.getElementById(id);

function t(key, vars) {
  let text = TEXT[state.lang][key] ?? TEXT.ko[key] ?? key;
  for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, String(value));
  return text;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const won = (n) => (state.lang === "ko" ? `${Math.round(n).toLocaleString("ko-KR")}원` : `₩${Math.round(n).toLocaleString("en-US")}`);
const num = (n, digits = 1) => Number(n).toLocaleString(state.lang === "ko" ? "ko-KR" : "en-US", { maximumFractionDigits: digits });
const label = (choice) => choice.label[state.lang] || choice.value;
const safeLink = (url) => (typeof url === "string" && /^https?:\/\//i.test(url) ? url : null);

// This browser's own id (contract 6): the server lists only the sessions it started.
function clientId() {
  let id = null;
  try { id = localStorage.getItem("aichef.client"); } catch { id = state.client || null; }
  if (!id || !/^[A-Za-z0-9_-]{16,128}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    try { localStorage.setItem("aichef.client", id); } catch { /* private mode: this page only */ }
  }
  state.client = id;
  return id;
}

async function api(path, init) {
  const headers = { ...(init?.headers || {}), "X-AIChef-Client": clientId() };
  const response = await fetch(path, { ...(init || {}), headers });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  return { status: response.status, ok: response.ok, body };
}

/* ---------- language ---------- */

function applyLanguage(lang) {
  state.lang = TEXT[lang] ? lang : "ko";
  try { localStorage.setItem("aichef.lang", state.lang); } catch { /* private mode: keep it for this page only */ }
  document.documentElement.lang = state.lang;
  document.title = state.lang === "ko" ? "AI Chef · 맞춤 레시피" : "AI Chef · Personal recipes";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const button of document.querySelectorAll(".lang-btn")) button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  if (state.options) buildForm(true);
  if (state.session) showProgress(state.session);
  if (state.result) renderResult(state.result);
  loadRecent();
}

/* ---------- form ---------- */

function choiceInput(type, name, choice, checked, cls) {
  const id = `${name}-${choice.value}`;
  return el("label", { class: cls, for: id },
    el("input", { type, name, id, value: choice.value, checked }),
    el("span", { text: label(choice) }));
}

function readForm() {
  const form = $("profile-form");
  const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  const intOrNull = (id) => ($(id).value.trim() === "" ? null : Number($(id).value));
  return {
    target: checked("target")[0] || null,
    allergies: checked("allergy"),
    healthConditions: checked("condition"),
    cookingLevel: $("cookingLevel").value,
    cuisine: $("cuisine").value,
    servings: intOrNull("servings"),
    budget: intOrNull("budget"),
    babyAgeMonths: intOrNull("babyAgeMonths"),
    fridgeIngredients: $("fridgeIngredients").value.split(/[,，、\n]/).map((s) => s.trim()).filter(Boolean),
    maxCalories: intOrNull("maxCalories"),
    maxCookingTime: intOrNull("maxCookingTime"),
    spicyLevel: Number($("spicyLevel").value),
  };
}

function buildForm(keep) {
  const o = state.options;
  const before = keep ? readForm() : null;
  const target = before?.target || o.targets[0].value;
  $("targets").replaceChildren(...o.targets.map((c) => choiceInput("radio", "target", c, c.value === target, "choice")));
  $("allergens").replaceChildren(...o.allergens.map((c) => choiceInput("checkbox", "allergy", c, before?.allergies.includes(c.value), "chip")));
  $("conditions").replaceChildren(...o.healthConditions.map((c) => choiceInput("checkbox", "condition", c, before?.healthConditions.includes(c.value), "chip")));
  const select = (id, choices, value) => {
    $(id).replaceChildren(...choices.map((c) => el("option", { value: c.value, selected: c.value === value, text: label(c) })));
  };
  select("cookingLevel", o.cookingLevels, before?.cookingLevel || o.defaults.cookingLevel);
  select("cuisine", o.cuisines, before?.cuisine || o.defaults.cuisine);
  const limits = o.limits;
  for (const id of ["budget", "servings", "babyAgeMonths", "maxCalories", "maxCookingTime", "spicyLevel"]) {
    const input = $(id);
    if (limits[id].min !== undefined) input.min = limits[id].min;
    if (limits[id].max !== undefined) input.max = limits[id].max;
    if (!keep && limits[id].default !== null && limits[id].default !== undefined) input.value = limits[id].default;
  }
  $("baby-hint").textContent = t("babyHint", { min: limits.babyAgeMonths.min, max: limits.babyAgeMonths.max });
  if (!keep && !$("babyAgeMonths").value) $("babyAgeMonths").value = 6;
  onTargetChange();
}

function onTargetChange() {
  const target = readForm().target;
  $("baby-field").hidden = target !== "baby_food";
  $("fridgeIngredients").required = target === "fridge";
  $("spicy-out").textContent = $("spicyLevel").value;
}

function requestBody() {
  const f = readForm();
  const profile = {
    target: f.target, allergies: f.allergies, healthConditions: f.healthConditions, cookingLevel: f.cookingLevel,
    servings: f.servings, budget: f.budget, preferences: { cuisine: f.cuisine, spicyLevel: f.spicyLevel },
    fridgeIngredients: f.fridgeIngredients,
  };
  if (f.target === "baby_food") profile.babyAgeMonths = f.babyAgeMonths;
  const constraints = {};
  if (f.maxCalories !== null) constraints.maxCalories = f.maxCalories;
  if (f.maxCookingTime !== null) constraints.maxCookingTime = f.maxCookingTime;
  return { profile, constraints, language: state.lang };
}

function showFieldErrors(fields, message) {
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  const box = $("form-errors");
  if (!fields.length && !message) { box.hidden = true; return; }
  const items = fields.map((f) => {
    const id = FIELD_INPUT[f.field];
    if (id && $(id)) $(id).setAttribute("aria-invalid", "true");
    const allowed = f.allowed && f.allowed.length ? ` (${f.allowed.join(", ")})` : "";
    return el("li", { text: `${f.field}: ${f.message}${allowed}` });
  });
  box.replaceChildren(el("strong", { text: message || t("fixFields") }), items.length ? el("ul", {}, items) : null);
  box.hidden = false;
}

async function onSubmit(event) {
  event.preventDefault();
  const f = readForm();
  if (f.target === "fridge" && !f.fridgeIngredients.length) {
    showFieldErrors([{ field: "profile.fridgeIngredients", message: t("fridgeRequired"), allowed: [] }]);
    return;
  }
  showFieldErrors([]);
  const button = $("submit");
  button.disabled = true;
  button.textContent = t("submitting");
  try {
    const { status, body } = await api("/api/sessions", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(requestBody()),
    });
    if (status === 202) {
      location.hash = `#/sessions/${encodeURIComponent(body.sessionId)}`;
    } else {
      const error = body?.error || {};
      showFieldErrors(error.fields || [], error.fields?.length ? null : error.message || t("networkError"));
    }
  } catch {
    showFieldErrors([], t("networkError"));
  } finally {
    button.disabled = false;
    button.textContent = t("submit");
  }
}

/* ---------- progress ---------- */

function stopFollowing() {
  if (state.source) { state.source.close(); state.source = null; }
  if (state.poll) { clearTimeout(state.poll); state.poll = null; }
}

function showProgress(session) {
  state.session = session;
  const card = $("progress-card");
  card.hidden = false;
  const progress = Math.max(0, Math.min(100, Number(session.progress) || 0));
  $("progress-fill").style.width = `${progress}%`;
  $("progress").setAttribute("aria-valuenow", String(progress));
  $("progress-value").textContent = `${progress}%`;
  const words = TEXT[state.lang];
  $("phase-label").textContent = (session.status === "failed" ? words.status.failed : words.phases[session.phase]) || words.status[session.status] || session.phase;
  card.classList.toggle("done", session.status === "completed");
  card.classList.toggle("failed", session.status === "failed");
  const error = $("session-error");
  if (session.status === "failed") {
    error.textContent = `${t("failed")}: ${session.error?.message || session.phase}`;
    error.hidden = false;
  } else {
    error.hidden = true;
  }
}

async function finished(session) {
  stopFollowing();
  showProgress(session);
  loadRecent();
  if (session.status !== "completed") return;
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(session.sessionId)}/result`);
  if (ok && state.current === session.sessionId) renderResult(body);
}

function follow(sessionId) {
  stopFollowing();
  const source = new EventSource(`/api/sessions/${encodeURIComponent(sessionId)}/events`);
  state.source = source;
  let last = null;
  source.addEventListener("status", (event) => {
    last = JSON.parse(event.data);
    if (state.current === sessionId) showProgress(last);
  });
  source.addEventListener("end", (event) => {
    const final = JSON.parse(event.data);
    source.close();
    if (state.current === sessionId) finished(final.sessionId ? final : last);
  });
  // If the stream breaks (server restarted, proxy cut it), fall back to asking now and then.
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED && state.source === source) { state.source = null; poll(sessionId); }
  };
}

async function poll(sessionId) {
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(sessionId)}`).catch(() => ({ ok: false }));
  if (state.current !== sessionId) return;
  if (ok && (body.status === "completed" || body.status === "failed")) { finished(body); return; }
  if (ok) showProgress(body);
  state.poll = setTimeout(() => poll(sessionId), 1000);
}

async function openSession(sessionId) {
  stopFollowing();
  state.current = sessionId;
  state.result = null;
  $("result").hidden = true;
  $("empty-card").hidden = true;
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
  if (state.current !== sessionId) return;
  if (!ok) {
    showProgress({ sessionId, status: "failed", phase: "finished", progress: 0, error: { message: t("notFound") } });
    return;
  }
  const ended = body.status === "completed" || body.status === "failed";
  // A running session's stream replays every step from the first: showing where it stands now
  // first would make the bar jump back.
  if (ended) showProgress(body);
  else $("progress-card").hidden = false;
  // On a phone the form fills the screen: bring the progress (and then the result) into view.
  $("progress-card").scrollIntoView({ block: "start" });
  if (ended) finished(body);
  else follow(sessionId);
}

/* ---------- result ---------- */

function donut(share, kcal) {
  const parts = [["protein", "#3867d6"], ["fat", "#e1a325"], ["carbohydrate", "#1f7a5a"]];
  const r = 60, c = 2 * Math.PI * r;
  let offset = 0;
  const arcs = parts.map(([key, color]) => {
    const value = Math.max(0, Number(share[key]) || 0);
    const length = (value / 100) * c;
    const arc = svg("circle", {
      cx: 80, cy: 80, r, fill: "none", stroke: color, "stroke-width": 26,
      "stroke-dasharray": `${length} ${c - length}`, "stroke-dashoffset": -offset, transform: "rotate(-90 80 80)",
    }, svg("title", {}, `${t(key)} ${num(value)}%`));
    offset += length;
    return arc;
  });
  const chart = svg("svg", { viewBox: "0 0 160 160", width: 180, height: 180, class: "donut", role: "img",
    "aria-label": parts.map(([key]) => `${t(key)} ${num(share[key] || 0)}%`).join(", ") },
  svg("circle", { cx: 80, cy: 80, r, fill: "none", stroke: "#ece8de", "stroke-width": 26 }), arcs,
  svg("text", { x: 80, y: 78, "text-anchor": "middle", "font-size": 22, "font-weight": 800, fill: "#1c2420" }, num(kcal, 0)),
  svg("text", { x: 80, y: 98, "text-anchor": "middle", "font-size": 11, fill: "#5d6862" }, t("donutUnit")));
  const legend = el("ul", { class: "legend" }, parts.map(([key, color]) => el("li", {},
    el("span", { class: `swatch ${key}` }), `${t(key)} ${num(share[key] || 0)}%`)));
  return el("div", { class: "chart" }, el("h3", { text: t("energyShare") }), chart, legend);
}

function nutritionCard(n) {
  const per = n.perServing || {}, total = n.total || {};
  const rows = [["kcal", "kcal", "kcal"], ["protein", "protein_g", "g"], ["fat", "fat_g", "g"],
    ["carbohydrate", "carbohydrate_g", "g"], ["netCarbs", "net_carbs_g", "g"], ["fiber", "fiber_g", "g"],
    ["sugar", "sugar_g", "g"], ["sodium", "sodium_mg", "mg"]];
  const table = el("table", { id: "nutrition-table" },
    el("thead", {}, el("tr", {}, el("th", { text: t("nutrition") }), el("th", { class: "num", text: t("perServing") }),
      el("th", { class: "num", text: t("total") }))),
    el("tbody", {}, rows.filter(([, k]) => per[k] !== undefined).map(([name, k, unit]) => el("tr", {},
      el("td", { text: t(name) }), el("td", { class: "num", text: `${num(per[k])} ${unit}` }),
      el("td", { class: "num", text: `${num(total[k])} ${unit}` })))));
  return el("section", { class: "card", "aria-labelledby": "nutrition-title" },
    el("h2", { id: "nutrition-title", text: t("nutrition") }),
    el("div", { class: "nutrition" }, donut(n.energyShare || {}, per.kcal || 0), table),
    el("p", { class: "source-note", text: t("nutritionSource") }));
}

// Explanations start with the rule's title in the result's language; the title is shown once, above.
function explanation(rule, lang) {
  const prefix = `${rule.title?.[lang] || ""}: `;
  const text = String(rule.explanation || "");
  return prefix.length > 2 && text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

function complianceCard(rules, lang) {
  const icon = { pass: "✓", warn: "!", fail: "✕" };
  return el("section", { class: "card", "aria-labelledby": "compliance-title" },
    el("h2", { id: "compliance-title", text: t("compliance") }),
    el("ul", { class: "checklist", id: "compliance" }, rules.map((rule) => el("li", { class: `check ${rule.verdict}` },
      el("span", { class: "icon", "aria-hidden": "true", text: icon[rule.verdict] || "·" }),
      el("div", {},
        el("div", { class: "check-title" }, rule.title?.[state.lang] || rule.id,
          el("span", { class: "verdict", text: t(rule.verdict) })),
        el("p", { class: "check-expl", text: explanation(rule, lang) }),
        rule.source ? el("p", { class: "check-source", text: rule.source }) : null)))));
}

function shoppingCard(p) {
  const rows = (p.items || []).map((item) => {
    const link = safeLink(item.link);
    const product = link ? el("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: item.product }) : item.product;
    return el("tr", {},
      el("td", { text: item.ingredient }),
      el("td", {}, product, item.isEstimate ? el("span", { class: "estimate", text: t("estimate") }) : null,
        el("div", { class: "check-source", text: item.vendor })),
      el("td", { text: item.package }),
      el("td", { class: "num", text: t("packs", { n: item.packages }) }),
      el("td", { class: "num", text: won(item.purchaseCost) }));
  });
  const budget = p.budget === null || p.budget === undefined ? null
    : el("p", { class: p.withinBudget ? "budget-ok" : "budget-over", id: "budget-status",
      text: t(p.withinBudget ? "budgetOk" : "budgetOver", { budget: won(p.budget) }) });
  const total = (cls, key, value, id) => el("div", { class: `total ${cls}` }, el("div", { class: "k", text: t(key) }),
    el("div", { class: "v", id, text: won(value) }));
  return el("section", { class: "card", "aria-labelledby": "shopping-title" },
    el("h2", { id: "shopping-title", text: t("shopping") }),
    rows.length ? el("div", { class: "table-scroll" }, el("table", { id: "shopping-table" },
      el("thead", {}, el("tr", {}, ["item", "product", "pkg", "qty", "price"].map((k) =>
        el("th", { class: k === "qty" || k === "price" ? "num" : null, text: t(k) })))),
      el("tbody", {}, rows))) : el("p", { class: "nothing-to-buy", id: "nothing-to-buy", text: t("nothingToBuy") }),
    p.alreadyOwned?.length ? el("p", { class: "owned", text: t("owned", { items: p.alreadyOwned.join(", ") }) }) : null,
    el("div", { class: "totals" },
      total("main", "totalCost", p.totalEstimatedCost, "total-cost"),
      total("", "shippingCost", p.estimatedShipping || 0, "shipping-cost"),
      total("", "perServingCost", p.costPerServing, "cost-per-serving"),
      total("", "usedCost", p.costOfAmountsUsed, "used-cost")),
    budget,
    p.isEstimate ? el("p", { class: "source-note", text: t("pricesEstimate") }) : null);
}

function renderResult(result) {
  state.result = result;
  const recipe = result.recipe;
  const head = el("section", { class: "card", "aria-labelledby": "recipe-name" },
    el("div", { class: "recipe-head" }, el("div", {},
      el("h2", { id: "recipe-name", text: recipe.recipeName }),
      el("p", { class: "recipe-desc", text: recipe.description }))),
    el("ul", { class: "badges" },
      el("li", { class: "badge" }, `${t("cookingTime")} `, el("strong", { text: t("minutesShort", { n: recipe.cookingTime }) })),
      el("li", { class: "badge" }, `${t("difficulty")} `, el("strong", { text: recipe.difficulty })),
      el("li", { class: "badge" }, `${t("servingsBadge")} `, el("strong", { text: t("servingsN", { n: recipe.servings }) })),
      el("li", { class: "badge" }, `${t("perServingCost")} `, el("strong", { text: won(result.pricing.costPerServing) }))),
    recipe.targetNote ? el("p", { class: "target-note", text: recipe.targetNote }) : null,
    el("div", { class: "two-col" },
      el("div", {}, el("h3", { text: t("ingredients") }), el("ul", { class: "ingredients", id: "ingredients" },
        recipe.ingredients.map((i) => el("li", {}, el("span", { text: i.name }),
          el("span", { class: "amt", text: `${num(i.amount, 2)} ${i.unit}${i.grams && i.unit !== "g" ? ` (${num(i.grams, 0)} g)` : ""}` }))))),
      el("div", {}, el("h3", { text: t("steps") }), el("ol", { class: "steps", id: "steps" },
        recipe.instructions.map((s) => el("li", { text: s }))))),
    result.notes?.length ? el("div", {}, el("h3", { text: t("notes") }), el("ul", { class: "notes" }, result.notes.map((n) => el("li", { text: n })))) : null);
  $("result").replaceChildren(head, nutritionCard(result.nutrition || {}), complianceCard(result.compliance || [], result.language || "ko"),
    shoppingCard(result.pricing || {}));
  $("result").hidden = false;
  $("empty-card").hidden = true;
}

/* ---------- recent sessions ---------- */

async function loadRecent() {
  const { ok, body } = await api("/api/sessions?limit=10").catch(() => ({ ok: false }));
  if (!ok) return;
  const targets = Object.fromEntries((state.options?.targets || []).map((c) => [c.value, label(c)]));
  const items = body.sessions.map((s) => el("li", {}, el("a", { href: `#/sessions/${encodeURIComponent(s.sessionId)}` },
    el("span", {}, targets[s.target] || s.target, el("span", { class: `status-pill ${s.status}`, text: TEXT[state.lang].status[s.status] || s.status })),
    el("span", { class: "when", text: new Date(s.createdAt).toLocaleString(state.lang === "ko" ? "ko-KR" : "en-GB", { dateStyle: "short", timeStyle: "short" }) }))));
  $("recent").replaceChildren(...(items.length ? items : [el("li", { class: "empty-recent", text: t("noRecent") })]));
}

/* ---------- start ---------- */

function route() {
  const match = location.hash.match(/^#\/sessions\/(.+)$/);
  if (match) openSession(decodeURIComponent(match[1]));
}

async function start() {
  let saved = null;
  try { saved = localStorage.getItem("aichef.lang"); } catch { saved = null; }
  state.lang = saved === "en" ? "en" : "ko";
  const { ok, body } = await api("/api/options").catch(() => ({ ok: false }));
  if (!ok) { showFieldErrors([], t("networkError")); return; }
  state.options = body;
  buildForm(false);
  applyLanguage(state.lang);
  $("profile-form").addEventListener("submit", onSubmit);
  $("profile-form").addEventListener("change", onTargetChange);
  $("spicyLevel").addEventListener("input", onTargetChange);
  for (const button of document.querySelectorAll(".lang-btn")) button.addEventListener("click", () => applyLanguage(button.dataset.lang));
  $("refresh-recent").addEventListener("click", loadRecent);
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
