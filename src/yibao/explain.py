"""Render trace steps as sentences in Chinese or English; the numbers come from the step itself."""

from __future__ import annotations

from yibao.engine.trace import Step
from yibao.memo import ByIdentity

Lang = str

_WORDS: dict[str, dict[str, str]] = {
    "local": {"zh": "本统筹区", "en": "home pooling region"},
    "in_province": {"zh": "省内异地", "en": "elsewhere in the home province"},
    "cross_province": {"zh": "跨省异地", "en": "another province"},
    "none": {"zh": "未备案", "en": "not registered"},
    "long_term": {"zh": "异地长期居住/安置备案", "en": "long-term registration"},
    "referral": {"zh": "转诊备案", "en": "referral registration"},
    "emergency": {"zh": "急诊备案", "en": "emergency registration"},
    "temporary": {"zh": "临时外出备案", "en": "temporary-trip registration"},
    "waived": {"zh": "无需备案", "en": "no registration needed"},
    "direct": {"zh": "直接结算", "en": "direct settlement"},
    "manual": {"zh": "手工报销", "en": "manual claim"},
    "given": {"zh": "账单注明", "en": "as stated on the bill"},
    "local_designated": {"zh": "本地定点医疗机构", "en": "designated institution at home"},
    "not_designated": {"zh": "非定点医疗机构", "en": "institution not designated"},
    "not_networked": {"zh": "未开通异地直接结算", "en": "not networked for cross-region settlement"},
    "not_registered": {"zh": "未办理异地就医备案", "en": "no registration filed"},
    "registered_networked": {"zh": "已备案且联网", "en": "registered and networked"},
    "contribution": {"zh": "未正常缴费", "en": "contribution not paid"},
    "excluded": {"zh": "属责任免除", "en": "excluded by the terms"},
    "adjust": {"zh": "异地就医规则不予支付", "en": "not covered under the cross-region rules"},
    "bill": {"zh": "每次", "en": "per bill"},
    "admission": {"zh": "每次住院", "en": "per admission"},
    "year": {"zh": "年度累计", "en": "per year"},
}

_TEMPLATES: dict[str, dict[str, str]] = {
    "where": {
        "zh": "就医地 {treatment_region}（{scope}），{registration}；结算方式：{mode}（{mode_reason}）。"
        "执行“就医地目录、参保地政策”。",
        "en": "Treated in {treatment_region} ({scope}), {registration}; settled by {mode} ({mode_reason}). "
        "The treatment place's catalogue and the home region's policy apply.",
    },
    "split": {
        "zh": "费用合计 {total}：甲类 {class_a}，乙类 {class_b}"
        "（乙类先行自付 {class_b_copay_ratio} = {class_b_copay}），"
        "政策范围内 {in_policy}；丙类/自费 {class_c}，超限价 {over_limit}。",
        "en": "Total {total}: class A {class_a}, class B {class_b} "
        "(class-B copay {class_b_copay_ratio} = {class_b_copay}), "
        "in-policy {in_policy}; out-of-catalogue {class_c}, over price limits {over_limit}.",
    },
    "base": {
        "zh": "【{name}】可支付基数 {base}（{components}）。",
        "en": "[{name_en}] base {base} ({components}).",
    },
    "adjust": {"zh": "适用调整“{name}”：{effects}。", "en": "Adjustment '{name_en}' applies: {effects}."},
    "not_covered": {"zh": "不予支付：{reason}。", "en": "Not paid: {reason}."},
    "first_self_pay": {
        "zh": "先行自付 {amount}，余 {base} 进入报销。",
        "en": "First self-pay {amount}; {base} goes on.",
    },
    "deductible": {
        "zh": "起付线（{per}）{deductible}{ordinal}{used_before}，本次扣除 {taken}，余 {net}。",
        "en": "Deductible ({per}) {deductible}{ordinal}{used_before}; {taken} taken now, {net} left.",
    },
    "ratio": {
        "zh": "按比例支付{year}：{bands} = {paid}。",
        "en": "Paid at the ratio{year}: {bands} = {paid}.",
    },
    "fixed": {
        "zh": "定额 {amount}，支付 {paid}（不超过费用）。",
        "en": "Fixed amount {amount}; {paid} paid (never above cost).",
    },
    "cap": {
        "zh": "{name} {amount}（{per}），此前已用 {used_before}：{before} → {after}。",
        "en": "Cap '{name}' {amount} ({per}), {used_before} used before: {before} → {after}.",
    },
    "payment": {"zh": "【{name}】支付 {paid}。", "en": "[{name_en}] pays {paid}."},
    "personal_account": {
        "zh": "个人账户（余额 {balance}）支付 {paid}。",
        "en": "Personal account (balance {balance}) pays {paid}.",
    },
    "out_of_pocket": {"zh": "个人现金支付 {amount}。", "en": "Out of pocket: {amount}."},
}


def word(key: str, lang: Lang) -> str:
    """A domain word in the chosen language (the key itself when unknown)."""
    return _WORDS.get(key, {}).get(lang, key)


def render(step: Step, lang: Lang) -> str:
    """One step as a sentence, with its source (依据) and any assumption flagged."""
    values = {k: word(v, lang) if k in _TRANSLATED else v for k, v in step.values.items()}
    values.update(_extras(step, lang))
    text = _TEMPLATES.get(step.op, {}).get(lang, step.op).format_map(_Blank(values))
    if step.source:  # the engine shares one source dict per edition and block (trace.cite)
        return text + _SUFFIXES.get((step.source,), (lang, step.assumed), lambda: _suffix(step, lang))
    return text + _suffix(step, lang) if step.assumed else text


def _suffix(step: Step, lang: Lang) -> str:
    """What follows the sentence: its source (依据) and any assumption flagged."""
    text = ""
    if step.source:
        where = step.source.get("section")
        title = step.source["title"] + (
            f"，{where}" if where and lang == "zh" else f", {where}" if where else ""
        )
        text += f"（依据：{title}）" if lang == "zh" else f" (source: {title})"
    if step.assumed:
        text += f"【假设数值：{step.assumed}】" if lang == "zh" else f" [assumed: {step.assumed}]"
    return text


_SUFFIXES: ByIdentity[str] = ByIdentity()
_TRANSLATED = {"scope", "registration", "mode", "mode_reason", "reason", "per"}


def _extras(step: Step, lang: Lang) -> dict[str, str]:
    v = step.values
    if step.op == "deductible":
        ordinal = v.get("ordinal")
        used = v.get("used_before")
        return {
            "ordinal": (f"（第{ordinal}次）" if lang == "zh" else f" (admission {ordinal})")
            if ordinal
            else "",
            "used_before": (f"，此前已累计 {used}" if lang == "zh" else f", {used} used before")
            if used
            else "",
        }
    if step.op == "ratio":
        before = v.get("net_before")
        year = (
            (f"（年度累计，此前 {before}）" if lang == "zh" else f" (cumulative, {before} before)")
            if before
            else ""
        )
        return {"year": year}
    if step.op == "adjust":
        return {"effects": _effects(v, lang)}
    return {}


def _effects(v: dict[str, str], lang: Lang) -> str:
    parts = []
    if v.get("covered") == "false":
        parts.append("不予支付" if lang == "zh" else "not covered")
    if "ratio_points" in v:
        parts.append(
            f"比例调整 {v['ratio_points']} 个百分点" if lang == "zh" else f"ratio {v['ratio_points']} points"
        )
    if "ratio_factor" in v:
        parts.append(
            f"比例按原比例的 {v['ratio_factor']}" if lang == "zh" else f"ratio × {v['ratio_factor']}"
        )
    if "deductible_factor" in v:
        parts.append(
            f"起付线 ×{v['deductible_factor']}" if lang == "zh" else f"deductible × {v['deductible_factor']}"
        )
    if "first_self_pay" in v:
        parts.append(
            f"先自付 {v['first_self_pay']}" if lang == "zh" else f"first self-pay {v['first_self_pay']}"
        )
    return "，".join(parts) if lang == "zh" else ", ".join(parts)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""
