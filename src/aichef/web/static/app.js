// AI Chef page: profile form, live progress from the event stream, result, recent sessions.
// Plain browser JavaScript, no build step. Every value from the server goes in through textContent.
"use strict";

const TEXT = {
  ko: {
    tagline: "우리 가족 맞춤 레시피", skipToForm: "조건 입력으로 건너뛰기", skipToResult: "결과로 건너뛰기",
    skipToSubmit: "‘레시피 만들기’ 버튼으로 건너뛰기",
    formTitle: "누구를 위한 요리인가요?",
    formLead: "식단 목표와 알레르기를 알려 주시면 영양 성분과 장보기 비용까지 계산해 드립니다.",
    target: "식단 목표", babyAge: "아기 개월 수", months: "개월",
    babyHint: "{min}~{max}개월 아기의 이유식을 만듭니다.",
    fridge: "냉장고 재료", fridgePlaceholder: "예: 두부, 애호박, 달걀",
    fridgeHint: "쉼표로 구분해 주세요. 가진 재료를 먼저 활용합니다.",
    fridgeRequired: "‘냉장고 파먹기’는 냉장고 재료를 하나 이상 적어 주세요.",
    allergies: "알레르기", allergiesHint: "해당 재료는 레시피에서 빼고 안전한 대체 재료를 씁니다.",
    conditions: "건강 상태", cookingLevel: "요리 실력", cuisine: "선호 요리", servings: "인분",
    budget: "예산", won: "원", budgetPlaceholder: "30,000 또는 3만원",
    pantry: "집에 있는 양념", pantryDefault: "기본 양념 있음 (소금·간장·식용유 등)", pantryNone: "없음 (모두 구매)",
    pantryCustom: "직접 입력", pantryPlaceholder: "예: 소금, 간장, 참기름", pantryHint: "집에 있는 재료는 장보기 목록에서 뺍니다. 직접 입력할 때는 쉼표로 구분해 주세요.",
    used: "사용", left: "남음", summary: "장보기 요약", maxCalories: "1인분 최대 열량", maxCookingTime: "최대 조리 시간",
    minutes: "분", optional: "선택", spicy: "매운 정도", submit: "레시피 만들기", submitting: "만드는 중…",
    waiting: "준비 중", progressLabel: "진행률", resultArea: "결과",
    writing: "AI 모델이 레시피를 쓰는 중… (조각 {n}개)",
    emptyTitle: "레시피가 여기에 표시됩니다",
    emptyText: "조건을 고르고 ‘레시피 만들기’를 누르세요. 재료별 영양 성분(USDA 기준), 식단 기준 점검표, 장보기 목록과 가격을 함께 보여 드립니다.",
    recent: "최근 세션", refresh: "새로고침", noRecent: "아직 만든 레시피가 없습니다.",
    favourites: "즐겨찾기",
    footer: "영양 정보는 USDA SR28 기준 계산값이며, 가격은 표시된 출처의 추정치입니다. 질환이 있거나 아기의 식단이 걱정되면 전문가와 상의하세요.",
    fixFields: "아래 항목을 고쳐 주세요.", networkError: "서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 잠시 후 다시 시도해 주세요.",
    needNumberRange: "{min}부터 {max}까지의 숫자로 적어 주세요.", needNumberMin: "{min} 이상의 숫자로 적어 주세요.",
    needWhole: "소수점 없이 숫자로 적어 주세요.", budgetFormat: "30,000 또는 3만원처럼 {max}원까지 적어 주세요.", needValue: "꼭 적어 주세요.", pickOne: "목록에서 하나를 골라 주세요.",
    unknownAllergen: "목록에 있는 알레르기만 고를 수 있습니다.", unknownCondition: "목록에 있는 건강 상태만 고를 수 있습니다.",
    checkValue: "입력한 값을 확인해 주세요.", checkRequest: "입력 내용을 확인하고 다시 시도해 주세요.",
    tooLarge: "입력한 내용이 너무 깁니다. 냉장고 재료를 줄여 주세요.",
    failedTitle: "레시피를 만들지 못했습니다",
    failedWhere: "멈춘 단계: {phase}",
    adviceConstraints: "조건을 조금 넓혀 보세요. 최대 조리 시간이나 1인분 열량을 늘리거나, 예산을 올리거나, 건강 상태·알레르기 선택이 꼭 필요한지 확인해 주세요. 냉장고 파먹기라면 재료를 더 적어 주세요.",
    adviceInput: "입력한 조건을 확인하고 다시 만들어 주세요.",
    adviceRetry: "잠시 문제가 생겼습니다. 같은 조건으로 잠시 후 다시 시도해 주세요.",
    noSuchSession: "이 주소의 레시피를 찾을 수 없습니다. 7일이 지나 지워졌거나 주소가 잘못되었습니다.",
    adviceNewSession: "조건을 고르고 새 레시피를 만들어 주세요.",
    editConditions: "조건 고치기",
    cookingTime: "조리 시간", difficulty: "난이도", servingsBadge: "분량", minutesShort: "{n}분", servingsN: "{n}인분", edibleGrams: "먹는 부분 {n} g",
    ingredients: "재료", steps: "만드는 법", notes: "조정한 내용",
    nutrition: "영양 성분", perServing: "1인분", total: "전체", energyShare: "열량 구성",
    protein: "단백질", fat: "지방", carbohydrate: "탄수화물", kcal: "열량", fiber: "식이섬유", sugar: "당류",
    sodium: "나트륨", netCarbs: "순탄수화물",
    nutritionSource: "USDA SR28 식품 성분 자료로 재료별 중량에서 계산했습니다.",
    compliance: "식단 기준 점검", pass: "충족", warn: "주의", fail: "미충족", sourceLabel: "근거",
    shopping: "장보기 목록", item: "재료", product: "상품", pkg: "포장", qty: "수량", price: "가격",
    totalCost: "총 구매 비용", shippingCost: "예상 배송비", perServingCost: "1인분 비용", usedCost: "사용분 비용",
    budgetOk: "예산 {budget} 이내", budgetOver: "예산 {budget} 초과", estimate: "추정", owned: "이미 있는 재료: {items}",
    pricesEstimate: "가격은 참고용 추정치이며 실제 판매가와 다를 수 있습니다.", packs: "{n}개",
    nothingToBuy: "더 살 재료가 없습니다. 가진 재료로 만들 수 있어요.", donutUnit: "kcal / 1인분",
    tools: "레시피 도구", servingsControl: "인분 바꾸기", fewer: "1인분 줄이기", more: "1인분 늘리기",
    recomputing: "{n}인분으로 다시 계산하는 중…", recomputed: "{n}인분으로 다시 계산했습니다.",
    servingsFailed: "{n}인분으로는 계산하지 못했습니다.",
    share: "공유", copied: "링크를 복사했습니다.", copyThis: "이 링크를 복사해 주세요:", print: "인쇄",
    save: "즐겨찾기", saved: "즐겨찾기됨", savedNote: "이 브라우저의 즐겨찾기에 저장했습니다.", removedNote: "즐겨찾기에서 뺐습니다.",
    status: { processing: "진행 중", completed: "완료", failed: "실패" },
    phases: {
      created: "요청 접수", recipe_generation: "레시피 구성 중", recipe_completed: "레시피 완성",
      price_lookup: "가격 확인 중", price_completed: "가격 확인 완료", combining_results: "결과 정리 중",
      finished: "완료", validation_failed: "입력 확인", recipe_failed: "레시피 구성", failed: "실패",
    },
    phaseSteps: {
      recipe_generation: "레시피 구성", recipe_completed: "레시피 완성", price_lookup: "가격 확인",
      price_completed: "가격 확인 완료", combining_results: "결과 정리", finished: "완료",
    },
  },
  en: {
    tagline: "Recipes made for your family", skipToForm: "Skip to the form", skipToResult: "Skip to the result",
    skipToSubmit: "Skip to the “Make my recipe” button",
    formTitle: "Who are we cooking for?",
    formLead: "Tell us the diet goal and allergies; we work out the nutrition and the shopping cost too.",
    target: "Diet goal", babyAge: "Baby's age", months: "months",
    babyHint: "Baby food for {min} to {max} months.",
    fridge: "In your fridge", fridgePlaceholder: "e.g. tofu, zucchini, eggs",
    fridgeHint: "Separate with commas. What you have is used first.",
    fridgeRequired: "“Cook from my fridge” needs at least one ingredient from your fridge.",
    allergies: "Allergies", allergiesHint: "These are left out and replaced with safe substitutes.",
    conditions: "Health conditions", cookingLevel: "Cooking level", cuisine: "Cuisine", servings: "Servings",
    budget: "Budget", won: "KRW", budgetPlaceholder: "30,000 or 3만원",
    pantry: "Kept at home", pantryDefault: "The usual seasonings (salt, soy sauce, oil ...)", pantryNone: "Nothing (buy everything)",
    pantryCustom: "My own list", pantryPlaceholder: "e.g. salt, soy sauce, sesame oil", pantryHint: "What you keep at home is left off the shopping list. For your own list, separate with commas.",
    used: "Used", left: "Left over", summary: "Shopping summary", maxCalories: "Max calories per serving", maxCookingTime: "Max cooking time",
    minutes: "min", optional: "optional", spicy: "Spiciness", submit: "Make my recipe", submitting: "Cooking…",
    waiting: "Getting ready", progressLabel: "Progress", resultArea: "Result",
    writing: "The AI model is writing… ({n} pieces)",
    emptyTitle: "Your recipe will appear here",
    emptyText: "Choose your options and press “Make my recipe”. You get nutrition per ingredient (USDA data), a diet checklist, and a shopping list with prices.",
    recent: "Recent sessions", refresh: "Refresh", noRecent: "No recipes yet.",
    favourites: "Favourites",
    footer: "Nutrition is computed from USDA SR28; prices are estimates from the sources shown. Ask a professional when a condition or your baby's diet worries you.",
    fixFields: "Please correct the fields below.", networkError: "Cannot reach the server. Check your connection and try again shortly.",
    needNumberRange: "Enter a number from {min} to {max}.", needNumberMin: "Enter a number of {min} or more.",
    needWhole: "Enter a whole number.", budgetFormat: "Enter an amount in KRW such as 30,000 or 3만원, up to {max}.", needValue: "This is needed.", pickOne: "Choose one from the list.",
    unknownAllergen: "Choose allergies from the list.", unknownCondition: "Choose health conditions from the list.",
    checkValue: "Check this value.", checkRequest: "Check what you entered and try again.",
    tooLarge: "That is too much text. List fewer fridge ingredients.",
    failedTitle: "Could not make a recipe",
    failedWhere: "Stopped at: {phase}",
    adviceConstraints: "Try loosening the conditions: allow more cooking time or calories per serving, raise the budget, or check that every health condition and allergy is needed. In fridge mode, list more ingredients.",
    adviceInput: "Check the conditions you entered and make it again.",
    adviceRetry: "Something went wrong for a moment. Try again shortly with the same conditions.",
    noSuchSession: "There is no recipe at this address. It was removed after 7 days, or the address is wrong.",
    adviceNewSession: "Choose your conditions and make a new recipe.",
    editConditions: "Change the conditions",
    cookingTime: "Time", difficulty: "Difficulty", servingsBadge: "Serves", minutesShort: "{n} min", servingsN: "{n}", edibleGrams: "edible part {n} g",
    ingredients: "Ingredients", steps: "Steps", notes: "What we adjusted",
    nutrition: "Nutrition", perServing: "Per serving", total: "Total", energyShare: "Energy from",
    protein: "Protein", fat: "Fat", carbohydrate: "Carbohydrate", kcal: "Energy", fiber: "Fibre", sugar: "Sugars",
    sodium: "Sodium", netCarbs: "Net carbs",
    nutritionSource: "Computed from each ingredient's weight with USDA SR28 food composition data.",
    compliance: "Diet checklist", pass: "met", warn: "caution", fail: "not met", sourceLabel: "Source",
    shopping: "Shopping list", item: "Ingredient", product: "Product", pkg: "Package", qty: "Qty", price: "Price",
    totalCost: "Total to buy", shippingCost: "Shipping", perServingCost: "Cost per serving", usedCost: "Cost of amounts used",
    budgetOk: "Within budget of {budget}", budgetOver: "Over budget of {budget}", estimate: "estimate", owned: "Already have: {items}",
    pricesEstimate: "Prices are reference estimates and may differ from what shops charge.", packs: "{n}",
    nothingToBuy: "Nothing to buy: you have everything this recipe needs.", donutUnit: "kcal a serving",
    tools: "Recipe tools", servingsControl: "Change servings", fewer: "One serving fewer", more: "One serving more",
    recomputing: "Recomputing for {n} servings…", recomputed: "Recomputed for {n} servings.",
    servingsFailed: "Could not recompute for {n} servings.",
    share: "Share", copied: "Link copied.", copyThis: "Copy this link:", print: "Print",
    save: "Save", saved: "Saved", savedNote: "Saved to this browser's favourites.", removedNote: "Removed from favourites.",
    status: { processing: "Running", completed: "Completed", failed: "Failed" },
    phases: {
      created: "Request received", recipe_generation: "Composing the recipe", recipe_completed: "Recipe ready",
      price_lookup: "Checking prices", price_completed: "Prices checked", combining_results: "Putting it together",
      finished: "Done", validation_failed: "Checking the input", recipe_failed: "Composing the recipe", failed: "Failed",
    },
    phaseSteps: {
      recipe_generation: "Recipe", recipe_completed: "Recipe ready", price_lookup: "Prices",
      price_completed: "Prices checked", combining_results: "Putting together", finished: "Done",
    },
  },
};

// The session's words before and after the rename to the design's names (contract 7): both are understood.
const STATUS_WORDS = {
  PENDING: "processing", RUNNING: "processing", COMPLETED: "completed", FAILED: "failed",
  pending: "processing", processing: "processing", completed: "completed", failed: "failed",
};
const PHASE_WORDS = {
  CREATED: "created", RECIPE_GENERATION: "recipe_generation", RECIPE_COMPLETED: "recipe_completed",
  PRICE_LOOKUP: "price_lookup", PRICES_COMPLETED: "price_completed", COMBINING: "combining_results",
  COMPLETED: "finished", VALIDATION_FAILED: "validation_failed", RECIPE_FAILED: "recipe_failed", FAILED: "failed",
};
const STEPS = ["recipe_generation", "recipe_completed", "price_lookup", "price_completed", "combining_results", "finished"];
// Long enough to read the phase's words, short enough not to hold a finished result back.
const PHASE_DWELL_MS = 350;

// Package words of the reference price table, for the English page (a word not listed stays as written).
const PACKAGE_WORDS_EN = [
  ["개입", "pcs"], ["포기", "head"], ["송이", "bunch"], ["마리", "whole"], ["약", "about"], ["개", "pcs"],
  ["캔", "can"], ["단", "bunch"], ["통", "whole"], ["봉", "pack"], ["장", "sheets"], ["매", "sheets"],
  ["병", "bottle"], ["모", "block"], ["망", "net bag"], ["팩", "pack"], ["구", "eggs"], ["알", "eggs"],
  ["냉동", "frozen"], ["손질", "cleaned"], ["삶은", "boiled"], ["인분", "servings"], ["튜브", "tube"],
];

// Kitchen units the recipe may still carry in Korean on the English page (the generator translates most).
const UNITS_EN = {
  "큰술": "Tbsp", "작은술": "tsp", "컵": "cup", "개": "piece", "모": "block", "쪽": "clove", "줌": "handful",
  "뿌리": "stalk", "장": "sheet", "마리": "whole", "봉": "pack", "봉지": "bag", "캔": "can", "포기": "head",
  "줄기": "sprig", "알": "piece", "송이": "bunch", "공기": "bowl", "꼬집": "pinch", "대": "stalk", "잎": "leaf",
  "조각": "piece", "줄": "roll", "토막": "piece",
};

// Where the API's field names are shown in the form.
const FIELD_INPUT = {
  "profile.target": "targets", "profile.babyAgeMonths": "babyAgeMonths", "profile.fridgeIngredients": "fridgeIngredients",
  "profile.allergies": "allergens", "profile.healthConditions": "conditions", "profile.cookingLevel": "cookingLevel",
  "profile.preferences.cuisine": "cuisine", "profile.preferences.spicyLevel": "spicyLevel", "profile.servings": "servings",
  "profile.budget": "budget", "profile.pantry": "pantry", "constraints.maxCalories": "maxCalories", "constraints.maxCookingTime": "maxCookingTime",
};
// Budget is text ("30,000", "3만원"): the server reads it as KRW, so the page checks only that it is there.
const NUMERIC = ["servings", "babyAgeMonths", "maxCalories", "maxCookingTime", "spicyLevel"];
const OPTIONAL = ["maxCalories", "maxCookingTime"];

const state = {
  lang: "ko", options: null, current: null, result: null, source: null, poll: null, running: false,
  queue: [], playing: false, shown: null, names: null, servingsBusy: false,
};

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
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function normalise(session) {
  return {
    ...session,
    status: STATUS_WORDS[session.status] || "processing",
    phase: PHASE_WORDS[session.phase] || String(session.phase || "").toLowerCase(),
  };
}

/* ---------- this browser: its id (contract 6) and its favourites ---------- */

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(18)); // 144 random bits
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

let memoryClientId = null;
function clientId() {
  try {
    let id = localStorage.getItem("aichef.client");
    if (!id || !/^[A-Za-z0-9_-]{22,}$/.test(id)) {
      id = newClientId();
      localStorage.setItem("aichef.client", id);
    }
    return id;
  } catch {
    memoryClientId = memoryClientId || newClientId(); // private mode: this page's sessions only
    return memoryClientId;
  }
}

function favourites() {
  try {
    const list = JSON.parse(localStorage.getItem("aichef.favourites") || "[]");
    return Array.isArray(list) ? list.filter((f) => f && typeof f.sessionId === "string") : [];
  } catch { return []; }
}

function storeFavourites(list) {
  try { localStorage.setItem("aichef.favourites", JSON.stringify(list.slice(0, 50))); } catch { /* nothing to keep it in */ }
}

async function api(path, init) {
  const headers = { "X-AIChef-Client": clientId(), ...(init?.headers || {}) };
  const response = await fetch(path, { ...init, headers });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  return { status: response.status, ok: response.ok, body };
}

/* ---------- language ---------- */

async function applyLanguage(lang) {
  state.lang = TEXT[lang] ? lang : "ko";
  try { localStorage.setItem("aichef.lang", state.lang); } catch { /* private mode: keep it for this page only */ }
  document.documentElement.lang = state.lang;
  document.title = state.lang === "ko" ? "AI Chef · 맞춤 레시피" : "AI Chef · Personal recipes";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const button of document.querySelectorAll(".lang-btn")) button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  if (state.options) buildForm(true);
  if (state.running) $("submit").textContent = t("submitting");
  if (state.shown) showProgress(state.shown);
  if (state.failure) showFailure(state.failure);
  renderFavourites();
  loadRecent();
  if (state.result) {
    if (state.lang === "en") await loadNames();
    renderResult(state.result);
    // A result computed in the other language is computed again in this one (same dish, same servings).
    if (state.result.language && state.result.language !== state.lang) changeServings(state.result.recipe.servings, false);
  }
}

async function loadNames() {
  if (state.names) return;
  const { ok, body } = await api("/api/ingredients").catch(() => ({ ok: false }));
  if (!ok) return;
  const byKey = {}, byEnglish = {};
  for (const row of body.ingredients) { byKey[row.key] = row; byEnglish[row.en.toLowerCase()] = row; }
  state.names = { byKey, byEnglish };
}

// The Korean name beside an English one, on the English page.
function koreanBeside(english, key) {
  if (state.lang !== "en" || !state.names) return null;
  const row = (key && state.names.byKey[key]) || state.names.byEnglish[String(english).toLowerCase()];
  return row && row.ko && row.ko !== english ? el("span", { class: "ko-name", lang: "ko", text: row.ko }) : null;
}

function packageText(text) {
  if (state.lang !== "en") return text;
  let out = String(text);
  for (const [ko, en] of PACKAGE_WORDS_EN) out = out.replace(new RegExp(`(\\d|\\s|\\(|^)${ko}(?=\\s|\\)|\\d|$)`, "g"), `$1${en}`);
  return out.replace(/(\d)(pcs|whole|can|bunch|pack|sheets|bottle|block|eggs|servings|head)/g, "$1 $2").replace(/(\d)(kg|g|ml|L)\b/g, "$1 $2");
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
  const numberOrNull = (id) => ($(id).value.trim() === "" ? null : Number($(id).value));
  return {
    target: checked("target")[0] || null,
    allergies: checked("allergy"),
    healthConditions: checked("condition"),
    cookingLevel: $("cookingLevel").value,
    cuisine: $("cuisine").value,
    servings: numberOrNull("servings"),
    budget: $("budget").value.trim() || null, // the server reads 30,000 / 3만원 / ₩30,000
    pantry: $("pantry").value === "custom" ? $("pantryList").value.trim() : $("pantry").value,
    babyAgeMonths: numberOrNull("babyAgeMonths"),
    fridgeIngredients: $("fridgeIngredients").value.split(/[,，、\n]/).map((s) => s.trim()).filter(Boolean),
    maxCalories: numberOrNull("maxCalories"),
    maxCookingTime: numberOrNull("maxCookingTime"),
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
  for (const id of NUMERIC) {
    const input = $(id);
    if (limits[id].min !== undefined) input.min = limits[id].min;
    if (limits[id].max !== undefined) input.max = limits[id].max;
    if (!keep && limits[id].default !== null && limits[id].default !== undefined) input.value = limits[id].default;
  }
  if (!keep && limits.budget?.default) $("budget").value = num(limits.budget.default, 0);
  $("baby-hint").textContent = t("babyHint", { min: limits.babyAgeMonths.min, max: limits.babyAgeMonths.max });
  if (!keep && !$("babyAgeMonths").value) $("babyAgeMonths").value = 6;
  onTargetChange();
  if (state.fieldErrors) showFieldErrors(state.fieldErrors);
}

function onTargetChange() {
  const target = readForm().target;
  $("baby-field").hidden = target !== "baby_food";
  $("fridgeIngredients").required = target === "fridge";
  $("spicy-out").textContent = $("spicyLevel").value;
  $("pantryList").hidden = $("pantry").value !== "custom";
}

function requestBody() {
  const f = readForm();
  const profile = {
    target: f.target, allergies: f.allergies, healthConditions: f.healthConditions, cookingLevel: f.cookingLevel,
    servings: f.servings, budget: f.budget, preferences: { cuisine: f.cuisine, spicyLevel: f.spicyLevel },
    fridgeIngredients: f.fridgeIngredients, pantry: f.pantry,
  };
  if (f.target === "baby_food") profile.babyAgeMonths = f.babyAgeMonths;
  const constraints = {};
  if (f.maxCalories !== null) constraints.maxCalories = f.maxCalories;
  if (f.maxCookingTime !== null) constraints.maxCookingTime = f.maxCookingTime;
  return { profile, constraints, language: state.lang };
}

// What is wrong with one field, in plain words: from the field and its limits, never the server's English.
function fieldMessage(id, kind) {
  const limit = state.options?.limits?.[id];
  if (kind === "fridge" || id === "fridgeIngredients") return t("fridgeRequired");
  if (id === "allergens") return t("unknownAllergen");
  if (id === "budget") return kind === "missing" ? t("needValue") : t("budgetFormat", { max: num(limit?.max ?? 10000000, 0) });
  if (id === "conditions") return t("unknownCondition");
  if (id === "targets" || id === "cookingLevel" || id === "cuisine") return t("pickOne");
  if (limit) {
    if (kind === "missing") return t("needValue");
    if (limit.max !== undefined) return t("needNumberRange", { min: num(limit.min, 0), max: num(limit.max, 0) });
    if (limit.min !== undefined) return t("needNumberMin", { min: num(limit.min, 0) });
    return t("needWhole");
  }
  return t("checkValue");
}

function fieldName(id) {
  const node = $(id);
  const field = node?.closest(".field");
  const title = field?.querySelector(":scope > label, :scope > legend");
  return title ? title.textContent.replace(/:.*$/, "").trim() : "";
}

// The problems the page can see before asking the server: the same limits the server checks.
function checkForm() {
  const f = readForm();
  const problems = [];
  for (const id of NUMERIC) {
    if (id === "babyAgeMonths" && f.target !== "baby_food") continue;
    const value = f[id];
    const limit = state.options.limits[id];
    if (value === null) { if (!OPTIONAL.includes(id)) problems.push({ id, kind: "missing" }); continue; }
    const low = limit.min !== undefined && value < limit.min, high = limit.max !== undefined && value > limit.max;
    if (!Number.isInteger(value) || low || high) problems.push({ id, kind: "range" });
  }
  if (f.target === "fridge" && !f.fridgeIngredients.length) problems.push({ id: "fridgeIngredients", kind: "fridge" });
  if (f.budget === null) problems.push({ id: "budget", kind: "missing" });
  return problems;
}

function clearFieldErrors() {
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  for (const node of document.querySelectorAll(".field-error")) node.remove();
  for (const node of document.querySelectorAll("[data-described]")) {
    node.removeAttribute("aria-describedby");
    node.removeAttribute("data-described");
  }
}

// problems: [{id, kind}] shown next to each field and listed above the button; message: one for the whole form.
function showFieldErrors(problems, message) {
  state.fieldErrors = problems.length ? problems : null;
  clearFieldErrors();
  const box = $("form-errors");
  if (!problems.length && !message) { box.hidden = true; return; }
  const items = [];
  for (const { id, kind } of problems) {
    const input = $(id);
    const text = fieldMessage(id, kind);
    if (input) {
      const field = input.closest(".field");
      const errorId = `${id}-error`;
      field.append(el("p", { class: "field-error", id: errorId, text }));
      const target = input.matches("input, select") ? input : field.querySelector("input");
      if (target) {
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("aria-describedby", errorId);
        target.setAttribute("data-described", "");
      }
      const link = el("a", { href: `#${target?.id || id}`, text: `${fieldName(id)}: ${text}` });
      link.addEventListener("click", (event) => { event.preventDefault(); (target || input).focus(); });
      items.push(el("li", {}, link));
    } else {
      items.push(el("li", { text }));
    }
  }
  box.replaceChildren(el("strong", { text: message || t("fixFields") }), items.length ? el("ul", {}, items) : null);
  box.hidden = false;
}

// The API's 422 body: {error: {code, message, fields: [{field, message, allowed}]}} mapped to the form's fields.
function problemsFromApi(error) {
  const problems = [];
  for (const field of error?.fields || []) {
    const id = FIELD_INPUT[field.field];
    if (!id) continue;
    const missing = /required|missing|필수/i.test(field.message || "");
    if (!problems.some((p) => p.id === id)) problems.push({ id, kind: missing ? "missing" : "range" });
  }
  return problems;
}

function setRunning(running) {
  state.running = running;
  const button = $("submit");
  button.disabled = running;
  button.setAttribute("aria-busy", String(running));
  button.textContent = t(running ? "submitting" : "submit");
}

async function onSubmit(event) {
  event.preventDefault();
  if (state.running) return; // one session at a time from this page
  const problems = checkForm();
  if (problems.length) {
    showFieldErrors(problems);
    $(problems[0].id)?.focus?.();
    return;
  }
  showFieldErrors([]);
  setRunning(true);
  try {
    const { status, body } = await api("/api/sessions", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(requestBody()),
    });
    if (status === 202) {
      state.startedHere = body.sessionId;
      location.hash = `#/sessions/${encodeURIComponent(body.sessionId)}`;
      return; // the button stays disabled until the session ends
    }
    const found = problemsFromApi(body?.error);
    const message = status === 413 ? t("tooLarge") : found.length ? null : t("checkRequest");
    showFieldErrors(found, message);
    setRunning(false);
  } catch {
    showFieldErrors([], t("networkError"));
    setRunning(false);
  }
}

/* ---------- progress ---------- */

function stopFollowing() {
  if (state.source) { state.source.close(); state.source = null; }
  if (state.poll) { clearTimeout(state.poll); state.poll = null; }
  state.queue = [];
}

function renderPhases(session) {
  const at = STEPS.indexOf(session.phase);
  const done = session.status === "completed";
  $("phases").replaceChildren(...STEPS.map((step, index) => {
    const reached = done || (at >= 0 && index < at);
    const current = !done && index === at;
    return el("li", { class: reached ? "done" : current ? "current" : "todo", "aria-current": current ? "step" : null },
      el("span", { class: "mark", "aria-hidden": "true", text: reached ? "✓" : current ? "●" : "○" }),
      TEXT[state.lang].phaseSteps[step]);
  }));
}

function showProgress(session) {
  state.shown = session;
  const card = $("progress-card");
  card.hidden = session.status === "failed";
  if (session.status === "failed") return;
  const progress = Math.max(0, Math.min(100, Number(session.progress) || 0));
  $("progress-fill").style.width = `${progress}%`;
  $("progress").setAttribute("aria-valuenow", String(progress));
  $("progress-value").textContent = `${progress}%`;
  const words = TEXT[state.lang].phases[session.phase] || TEXT[state.lang].status[session.status] || t("waiting");
  $("phase-label").textContent = words;
  $("progress").setAttribute("aria-valuetext", `${words} ${progress}%`);
  $("progress-live").textContent = `${words} ${progress}%`;
  card.classList.toggle("done", session.status === "completed");
  renderPhases(session);
  showWriting(session);
}

// A model that streams its recipe: how many pieces it has written so far (never the text itself).
function showWriting(session) {
  const pieces = Number(session.writing?.pieces);
  const writing = session.status === "processing" && session.phase === "recipe_generation" && pieces > 0;
  $("writing-note").textContent = writing ? t("writing", { n: num(pieces, 0) }) : "";
  $("writing-note").hidden = !writing;
}

function failureAdvice(session) {
  const code = String(session.error?.code || "");
  if (session.missing) return { reason: t("noSuchSession"), advice: t("adviceNewSession") };
  // The generator's own explanation is written for people, in the session's language; any other
  // failure's text is for the operator's log, never shown here.
  if (code === "ConstraintNotMet" || code === "constraint_not_met") {
    return { reason: String(session.error?.message || ""), advice: t("adviceConstraints") };
  }
  if (session.phase === "validation_failed" || code === "InvalidInput") return { reason: "", advice: t("adviceInput") };
  return { reason: "", advice: t("adviceRetry") };
}

function showFailure(session) {
  state.failure = session;
  const { reason, advice } = failureAdvice(session);
  const where = TEXT[state.lang].phases[session.phase];
  $("failure-title").textContent = t("failedTitle");
  $("failure-reason").textContent = reason || (where && !session.missing ? t("failedWhere", { phase: where }) : "");
  $("failure-reason").hidden = !$("failure-reason").textContent;
  $("failure-advice").textContent = advice;
  $("failure-card").hidden = false;
  $("progress-card").hidden = true;
}

// Each status the stream sends is shown in order, each long enough to be read, even when the whole
// session took a fraction of a second; the result waits for the last one.
function enqueue(sessionId, raw) {
  const session = normalise(raw);
  const last = state.queue[state.queue.length - 1] || state.lastQueued;
  if (last && last.phase === session.phase && last.progress === session.progress && last.status === session.status) {
    // The same step with more pieces written: no new step to play, the count changes in place.
    if (session.writing) {
      last.writing = session.writing;
      const shown = state.shown;
      if (shown && shown.phase === session.phase && shown.progress === session.progress) showWriting({ ...shown, writing: session.writing });
    }
    return;
  }
  if (last && Number(session.progress) < Number(last.progress) && session.status === "processing") return;
  state.lastQueued = session;
  state.queue.push(session);
  if (!state.playing) play(sessionId);
}

async function play(sessionId) {
  state.playing = true;
  try {
    while (state.queue.length && state.current === sessionId) {
      const session = state.queue.shift();
      if (session.status === "processing") {
        showProgress(session);
        await sleep(PHASE_DWELL_MS);
      } else {
        if (session.status === "completed") { showProgress(session); await sleep(PHASE_DWELL_MS / 2); }
        await finished(session);
      }
    }
  } finally {
    state.playing = false;
  }
}

async function finished(session) {
  stopFollowing();
  loadRecent();
  if (session.status === "failed") {
    showFailure(session);
    setRunning(false);
    $("failure-title").focus();
    return;
  }
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(session.sessionId)}/result`).catch(() => ({ ok: false }));
  if (state.current !== session.sessionId) return;
  setRunning(false);
  if (!ok) { showFailure({ ...session, status: "failed", error: null }); return; }
  if (state.lang === "en") await loadNames();
  renderResult(body);
  $("progress-card").hidden = true; // every phase was shown; now the result has the screen
  $("recipe-name")?.focus();
}

function follow(sessionId) {
  stopFollowing();
  const source = new EventSource(`/api/sessions/${encodeURIComponent(sessionId)}/events`);
  state.source = source;
  source.addEventListener("status", (event) => {
    if (state.current === sessionId) enqueue(sessionId, JSON.parse(event.data));
  });
  source.addEventListener("end", (event) => {
    const final = JSON.parse(event.data);
    source.close();
    if (state.source === source) state.source = null;
    if (state.current === sessionId && final.sessionId) enqueue(sessionId, final);
  });
  // If the stream breaks (server restarted, proxy cut it), fall back to asking now and then.
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED && state.source === source) { state.source = null; poll(sessionId); }
  };
}

async function poll(sessionId) {
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(sessionId)}`).catch(() => ({ ok: false }));
  if (state.current !== sessionId) return;
  if (ok) enqueue(sessionId, body);
  if (!ok || normalise(body).status === "processing") state.poll = setTimeout(() => poll(sessionId), 1000);
}

async function openSession(sessionId) {
  stopFollowing();
  state.current = sessionId;
  state.result = null;
  state.failure = null;
  state.lastQueued = null;
  $("result").hidden = true;
  $("empty-card").hidden = true;
  $("failure-card").hidden = true;
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(sessionId)}`).catch(() => ({ ok: false }));
  if (state.current !== sessionId) return;
  if (!ok) {
    $("progress-card").hidden = true;
    showFailure({ sessionId, status: "failed", phase: "failed", missing: true });
    setRunning(false);
    return;
  }
  const session = normalise(body);
  // A session started here, or still running, is followed from its first event: the stream replays
  // every step in order, so showing where it stands now first would make the bar jump back.
  if (session.status === "processing" || state.startedHere === sessionId) {
    setRunning(true);
    showProgress({ ...session, status: "processing", phase: "created", progress: 0 });
    $("progress-title").focus();
    follow(sessionId);
  } else {
    $("progress-card").hidden = true;
    finished(session);
  }
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
  svg("text", { x: 80, y: 98, "text-anchor": "middle", "font-size": 11, fill: "#4a544f" }, t("donutUnit")));
  const legend = el("ul", { class: "legend" }, parts.map(([key]) => el("li", {},
    el("span", { class: `swatch ${key}` }), `${t(key)} ${num(share[key] || 0)}%`)));
  return el("div", { class: "chart" }, el("h3", { text: t("energyShare") }), chart, legend);
}

function nutritionCard(n) {
  const per = n.perServing || {}, total = n.total || {};
  const rows = [["kcal", "kcal", "kcal"], ["protein", "protein_g", "g"], ["fat", "fat_g", "g"],
    ["carbohydrate", "carbohydrate_g", "g"], ["netCarbs", "net_carbs_g", "g"], ["fiber", "fiber_g", "g"],
    ["sugar", "sugar_g", "g"], ["sodium", "sodium_mg", "mg"]];
  const table = el("table", { id: "nutrition-table" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("nutrition") }), el("th", { scope: "col", class: "num", text: t("perServing") }),
      el("th", { scope: "col", class: "num", text: t("total") }))),
    el("tbody", {}, rows.filter(([, k]) => per[k] !== undefined).map(([name, k, unit]) => el("tr", {},
      el("th", { scope: "row", text: t(name) }), el("td", { class: "num", text: `${num(per[k])} ${unit}` }),
      el("td", { class: "num", text: `${num(total[k])} ${unit}` })))));
  return el("section", { class: "card nutrition-card", "aria-labelledby": "nutrition-title" },
    el("h2", { id: "nutrition-title", text: t("nutrition") }),
    el("div", { class: "nutrition" }, donut(n.energyShare || {}, per.kcal || 0), table),
    el("p", { class: "source-note", text: t("nutritionSource") }));
}

// Explanations start with the rule's title in the result's language ("Title: ..." or "Title 277 kcal: ...");
// the title is shown once, above.
function explanation(rule, lang) {
  const title = rule.title?.[lang] || "";
  const text = String(rule.explanation || "");
  if (!title) return text;
  if (text.startsWith(`${title}: `)) return text.slice(title.length + 2);
  return text.startsWith(`${title} `) ? text.slice(title.length + 1) : text;
}

function complianceCard(rules, lang) {
  const icon = { pass: "✓", warn: "!", fail: "✕" };
  return el("section", { class: "card compliance-card", "aria-labelledby": "compliance-title" },
    el("h2", { id: "compliance-title", text: t("compliance") }),
    el("ul", { class: "checklist", id: "compliance" }, rules.map((rule) => el("li", { class: `check ${rule.verdict}` },
      el("span", { class: "icon", "aria-hidden": "true", text: icon[rule.verdict] || "·" }),
      el("div", {},
        el("div", { class: "check-title" }, rule.title?.[lang] || rule.title?.[state.lang] || rule.id,
          el("span", { class: "verdict", text: t(rule.verdict) })),
        el("p", { class: "check-expl", text: explanation(rule, lang) }),
        rule.source ? el("p", { class: "check-source", text: `${t("sourceLabel")}: ${rule.source}` }) : null)))));
}

function shoppingCard(p) {
  const rows = (p.items || []).map((item) => {
    const link = safeLink(item.link);
    const productText = packageText(item.product);
    const product = link ? el("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: productText }) : productText;
    return el("tr", {},
      el("th", { scope: "row", class: "item-name", "data-label": t("item") }, item.ingredient, koreanBeside(item.ingredient, item.ingredientKey)),
      el("td", { "data-label": t("product") }, el("div", {}, product,
        item.isEstimate ? el("span", { class: "estimate", text: t("estimate") }) : null,
        el("div", { class: "check-source", text: item.vendor }))),
      el("td", { "data-label": t("pkg"), text: packageText(item.package) }),
      el("td", { class: "num", "data-label": t("qty"), text: t("packs", { n: item.packages }) }),
      el("td", { class: "num price", "data-label": t("price"), text: won(item.purchaseCost) }),
      el("td", { class: "num", "data-label": t("used"), text: `${num(item.neededGrams, 0)} g · ${won(item.costOfAmountNeeded)}` }),
      el("td", { class: "num", "data-label": t("left"), text: item.leftoverGrams ? `${num(item.leftoverGrams, 0)} g · ${won(item.valueLeftover)}` : "-" }));
  });
  // The same sentences as the CLI and the API (written once, server side).
  const summary = p.summary?.lines?.length ? el("div", { class: "purchase-summary", id: "purchase-summary" },
    el("h3", { text: t("summary") }), el("ul", {}, p.summary.lines.map((line) => el("li", { text: line })))) : null;
  const budget = p.budget === null || p.budget === undefined ? null
    : el("p", { class: p.withinBudget ? "budget-ok" : "budget-over", id: "budget-status",
      text: t(p.withinBudget ? "budgetOk" : "budgetOver", { budget: won(p.budget) }) });
  const total = (cls, key, value, id) => el("div", { class: `total ${cls}` }, el("div", { class: "k", text: t(key) }),
    el("div", { class: "v", id, text: won(value) }));
  return el("section", { class: "card shopping-card", "aria-labelledby": "shopping-title" },
    el("h2", { id: "shopping-title", text: t("shopping") }),
    rows.length ? el("table", { id: "shopping-table", class: "shopping" },
      el("thead", {}, el("tr", {}, ["item", "product", "pkg", "qty", "price", "used", "left"].map((k) =>
        el("th", { scope: "col", class: ["qty", "price", "used", "left"].includes(k) ? "num" : null, text: t(k) })))),
      el("tbody", {}, rows)) : el("p", { class: "nothing-to-buy", id: "nothing-to-buy", text: t("nothingToBuy") }),
    p.alreadyOwned?.length ? el("p", { class: "owned", text: t("owned", { items: p.alreadyOwned.join(", ") }) }) : null,
    el("div", { class: "totals" },
      total("main", "totalCost", p.totalEstimatedCost, "total-cost"),
      total("", "shippingCost", p.estimatedShipping || 0, "shipping-cost"),
      total("", "perServingCost", p.costPerServing, "cost-per-serving"),
      total("", "usedCost", p.costOfAmountsUsed, "used-cost")),
    budget,
    summary,
    p.isEstimate ? el("p", { class: "source-note", text: t("pricesEstimate") }) : null);
}

function isFavourite(sessionId) { return favourites().some((f) => f.sessionId === sessionId); }

function toolbar(result) {
  const servings = Number(result.recipe.servings);
  const limits = state.options?.limits?.servings || { min: 1, max: 12 };
  const step = (delta) => {
    const button = el("button", { type: "button", class: "step-btn", "aria-label": t(delta < 0 ? "fewer" : "more"),
      disabled: state.servingsBusy || (delta < 0 ? servings <= limits.min : servings >= limits.max), text: delta < 0 ? "−" : "+" });
    button.addEventListener("click", () => changeServings(servings + delta, true));
    return button;
  };
  const favourite = isFavourite(result.sessionId);
  const share = el("button", { type: "button", class: "tool-btn", id: "share-btn", text: t("share") });
  share.addEventListener("click", () => shareSession(result));
  const print = el("button", { type: "button", class: "tool-btn", id: "print-btn", text: t("print") });
  print.addEventListener("click", () => window.print());
  const save = el("button", { type: "button", class: "tool-btn", id: "save-btn", "aria-pressed": String(favourite),
    text: `${favourite ? "★" : "☆"} ${t(favourite ? "saved" : "save")}` });
  save.addEventListener("click", () => toggleFavourite(result));
  return el("div", { class: "tools", role: "group", "aria-label": t("tools") },
    el("div", { class: "servings-control", role: "group", "aria-labelledby": "servings-control-label" },
      el("span", { id: "servings-control-label", class: "servings-label", text: t("servingsControl") }),
      step(-1), el("output", { id: "servings-value", "aria-live": "polite", text: t("servingsN", { n: servings }) }), step(1)),
    el("div", { class: "tool-row" }, share, print, save),
    el("p", { class: "tool-status", id: "tool-status", role: "status" }));
}

function toolStatus(text) { const node = $("tool-status"); if (node) node.textContent = text; }

// The server recomputes the dish (amounts, nutrition, checks, prices); the page shows what it answers.
async function changeServings(servings, announce) {
  if (!state.result || state.servingsBusy) return;
  const sessionId = state.result.sessionId;
  state.servingsBusy = true;
  renderResult(state.result);
  toolStatus(t("recomputing", { n: servings }));
  const { ok, body } = await api(`/api/sessions/${encodeURIComponent(sessionId)}/servings`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ servings, language: state.lang }),
  }).catch(() => ({ ok: false }));
  state.servingsBusy = false;
  if (state.current !== sessionId) return;
  if (ok) {
    if (state.lang === "en") await loadNames();
    renderResult(body);
    if (announce) toolStatus(t("recomputed", { n: servings }));
  } else {
    renderResult(state.result);
    toolStatus(t("servingsFailed", { n: servings }));
  }
  if (announce) $("servings-value")?.focus?.();
}

async function shareSession(result) {
  const url = `${location.origin}/#/sessions/${encodeURIComponent(result.sessionId)}`;
  if (navigator.share) {
    try { await navigator.share({ title: result.recipe.recipeName, url }); return; } catch (error) {
      if (error?.name === "AbortError") return; // the person closed the share sheet
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    toolStatus(t("copied"));
  } catch {
    toolStatus(`${t("copyThis")} ${url}`);
  }
}

function toggleFavourite(result) {
  const list = favourites();
  const present = list.some((f) => f.sessionId === result.sessionId);
  storeFavourites(present ? list.filter((f) => f.sessionId !== result.sessionId)
    : [{ sessionId: result.sessionId, name: result.recipe.recipeName, savedAt: new Date().toISOString() }, ...list]);
  renderResult(state.result);
  renderFavourites();
  toolStatus(t(present ? "removedNote" : "savedNote"));
  $("save-btn")?.focus();
}

function renderFavourites() {
  const list = favourites();
  $("favourites-card").hidden = !list.length;
  $("favourites").replaceChildren(...list.map((f) => el("li", {},
    el("a", { href: `#/sessions/${encodeURIComponent(f.sessionId)}` }, el("span", { text: `★ ${f.name}` })))));
}

// "1 마리 (1,000 g) (먹는 부분 680 g)": a line bought with bones or shell also says what is eaten.
// Counts and spoons in the nearest kitchen fraction ("½ 모", "1¼ 큰술"), as the CLI prints them
// (aichef.render.format_amount); weights as numbers.
const FRACTIONS = [[0.25, "¼"], [1 / 3, "⅓"], [0.5, "½"], [2 / 3, "⅔"], [0.75, "¾"]];
function kitchenNumber(amount, unit) {
  if (["g", "kg", "ml"].includes(unit)) return num(amount, amount >= 10 ? 0 : 1);
  let whole = Math.floor(amount);
  const options = [...(whole ? [[0, ""]] : []), ...FRACTIONS, [1, ""]];
  const [value, glyph] = options.reduce((best, o) => (Math.abs(amount - whole - o[0]) < Math.abs(amount - whole - best[0]) ? o : best));
  whole += Math.floor(value);
  return glyph ? `${whole || ""}${glyph}` : `${whole}`;
}

function ingredientAmount(i) {
  const unit = state.lang === "en" ? UNITS_EN[i.unit] || i.unit : i.unit;
  const grams = i.grams && i.unit !== "g" ? ` (${num(i.grams, 0)} g)` : "";
  const edible = i.edibleGrams != null ? ` (${t("edibleGrams", { n: num(i.edibleGrams, 0) })})` : "";
  return `${kitchenNumber(Number(i.amount), i.unit)} ${unit}${grams}${edible}`;
}

function renderResult(result) {
  state.result = result;
  const recipe = result.recipe;
  const lang = result.language || state.lang;
  const head = el("section", { class: "card recipe-card", "aria-labelledby": "recipe-name" },
    el("div", { class: "recipe-head" }, el("div", {},
      el("h2", { id: "recipe-name", tabindex: "-1", text: recipe.recipeName }),
      el("p", { class: "recipe-desc", text: recipe.description }))),
    el("ul", { class: "badges" },
      el("li", { class: "badge" }, `${t("cookingTime")} `, el("strong", { text: t("minutesShort", { n: recipe.cookingTime }) })),
      el("li", { class: "badge" }, `${t("difficulty")} `, el("strong", { text: recipe.difficulty })),
      el("li", { class: "badge" }, `${t("servingsBadge")} `, el("strong", { id: "servings-badge", text: t("servingsN", { n: recipe.servings }) })),
      el("li", { class: "badge" }, `${t("perServingCost")} `, el("strong", { text: won(result.pricing.costPerServing) }))),
    toolbar(result),
    recipe.targetNote ? el("p", { class: "target-note", text: recipe.targetNote }) : null,
    el("div", { class: "two-col" },
      el("div", {}, el("h3", { text: t("ingredients") }), el("ul", { class: "ingredients", id: "ingredients" },
        recipe.ingredients.map((i) => el("li", {}, el("span", { class: "ing-name" }, i.name, koreanBeside(i.name)),
          el("span", { class: "amt", text: ingredientAmount(i) }))))),
      el("div", {}, el("h3", { text: t("steps") }), el("ol", { class: "steps", id: "steps" },
        recipe.instructions.map((s) => el("li", { text: s }))))),
    result.notes?.length ? el("div", {}, el("h3", { text: t("notes") }), el("ul", { class: "notes" }, result.notes.map((n) => el("li", { text: n })))) : null);
  $("result").replaceChildren(head, nutritionCard(result.nutrition || {}), complianceCard(result.compliance || [], lang),
    shoppingCard(result.pricing || {}));
  $("result").lang = lang;
  $("result").hidden = false;
  $("empty-card").hidden = true;
  $("failure-card").hidden = true;
}

/* ---------- recent sessions ---------- */

async function loadRecent() {
  const { ok, body } = await api("/api/sessions?limit=10").catch(() => ({ ok: false }));
  if (!ok) return;
  const targets = Object.fromEntries((state.options?.targets || []).map((c) => [c.value, label(c)]));
  const items = (body.sessions || []).map((raw) => {
    const s = normalise(raw);
    return el("li", {}, el("a", { href: `#/sessions/${encodeURIComponent(s.sessionId)}` },
      el("span", {}, targets[s.target] || s.target, el("span", { class: `status-pill ${s.status}`, text: TEXT[state.lang].status[s.status] })),
      el("span", { class: "when", text: new Date(s.createdAt).toLocaleString(state.lang === "ko" ? "ko-KR" : "en-GB", { dateStyle: "short", timeStyle: "short" }) })));
  });
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
  clientId();
  const { ok, body } = await api("/api/options").catch(() => ({ ok: false }));
  if (!ok) { showFieldErrors([], t("networkError")); return; }
  state.options = body;
  buildForm(false);
  await applyLanguage(state.lang);
  $("profile-form").addEventListener("submit", onSubmit);
  $("profile-form").addEventListener("change", onTargetChange);
  $("spicyLevel").addEventListener("input", onTargetChange);
  for (const button of document.querySelectorAll(".lang-btn")) button.addEventListener("click", () => applyLanguage(button.dataset.lang));
  $("refresh-recent").addEventListener("click", loadRecent);
  $("failure-edit").addEventListener("click", () => $("form-title").focus());
  // A skip link moves the focus itself, so the next Tab goes on from there (44 Tabs to the button before).
  for (const link of document.querySelectorAll(".skip-link")) {
    link.addEventListener("click", (event) => {
      const target = document.querySelector(link.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
