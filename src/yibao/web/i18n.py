"""The page's words in Chinese (default) and English; the templates and the scripts share them.

Each key maps to (中文, English). Keys are grouped by prefix: `nav_`, `form_`, `opt_`,
`err_`, `res_`, `payer_`, `todo_`, `cmp_`, `pol_`. Strings with `{name}` are filled in by
the script.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_WORDS: dict[str, tuple[str, str]] = {
    "site_title": ("医保报销估算", "Medical insurance estimator"),
    "site_tagline": (
        "看病前算一算：基本医保、大病保险、惠民保各付多少，自己付多少，为什么，要先办什么。",
        "Before treatment: what basic insurance, critical-illness insurance and city products pay, "
        "what you pay, why, and what to do first.",
    ),
    "disclaimer": (
        "这是按内置政策文件做的估算，不是医保部门的结算结果；标为“假设数值”的数字没有找到公开来源。",
        "This is an estimate from the built-in policy files, not an official settlement; numbers "
        "marked “assumed” have no public source.",
    ),
    "nav_estimate": ("估算", "Estimate"),
    "nav_policies": ("政策浏览", "Policies"),
    "nav_api": ("API 文档", "API docs"),
    "lang_switch": ("English", "中文"),
    "lang_switch_label": ("Switch to English", "切换到中文"),
    "skip_to_content": ("跳到正文", "Skip to content"),
    "form_person": ("参保信息", "Your insurance"),
    "form_scheme": ("参保地和险种", "Home scheme"),
    "form_category": ("人员类别", "Category"),
    "form_where": ("就医信息", "Treatment"),
    "form_date": ("就医日期", "Date of treatment"),
    "form_province": ("就医省份", "Province of treatment"),
    "form_city": ("就医城市", "City of treatment"),
    "form_city_other": ("省内其他地区", "elsewhere in the province"),
    "form_level": ("医院等级", "Hospital level"),
    "form_designated": ("医保定点医院", "Designated (定点) hospital"),
    "form_networked": ("开通异地就医直接结算", "Offers cross-region direct settlement (联网)"),
    "form_registration": ("异地就医备案", "Registration (备案)"),
    "form_bill": ("费用", "The bill"),
    "form_kind": ("就医类型", "Type of care"),
    "form_variant": ("分娩方式", "Type of birth"),
    "form_months": ("连续缴费月数", "Months of continuous contribution"),
    "form_amounts": ("费用怎么填", "How to give the amounts"),
    "form_amounts_total": ("只知道总额（按典型比例拆分）", "Total only (typical split)"),
    "form_amounts_split": ("按费用清单分类填写", "By class, from the itemised bill"),
    "form_total": ("费用总额（元）", "Total (yuan)"),
    "form_typical_note": (
        "按典型比例拆分：甲类 {class_a}、乙类 {class_b}、丙类 {class_c}。这些比例是假设值，没有公开统计来源；"
        "有费用清单时请按类别填写。",
        "Typical split: class A {class_a}, class B {class_b}, class C {class_c}. These shares are "
        "assumed, with no public statistic behind them; use the itemised bill when you have it.",
    ),
    "form_class_a": ("甲类（元）", "Class A, 甲类 (yuan)"),
    "form_class_b": ("乙类（元）", "Class B, 乙类 (yuan)"),
    "form_class_c": ("丙类/自费（元）", "Class C / self-pay, 丙类 (yuan)"),
    "form_over_limit": ("超限价（元）", "Above price limits, 超限价 (yuan)"),
    "form_special": ("特药费用（元）", "Special drugs, 特药 (yuan)"),
    "form_special_list": ("特药目录", "Special-drug list"),
    "form_ytd": ("今年已花的政策范围内费用（元）", "In-policy costs already this year (yuan)"),
    "form_ytd_help": (
        "估算时把它当作今年在参保地同级医院的一次更早就医，用掉的起付线和限额计入本次。",
        "Counted as one earlier bill this year at a home hospital of the same level; the "
        "deductibles and caps it used count for this bill.",
    ),
    "form_products": ("持有的惠民保/商业保险", "Products you hold (惠民保)"),
    "form_products_none": ("这个险种没有内置的补充保险产品。", "No built-in product covers this scheme."),
    "form_products_valid": ("有效期 {from} 至 {to}", "valid {from} to {to}"),
    "form_pre_existing": ("本次治疗的是既往症", "This treats a pre-existing condition (既往症)"),
    "form_critical_note": (
        "大病保险按参保险种自动计算。",
        "Critical-illness insurance applies automatically.",
    ),
    "form_submit": ("估算", "Estimate"),
    "form_working": ("正在计算……", "Working…"),
    "opt_inpatient": ("住院", "Inpatient"),
    "opt_outpatient": ("门诊", "Outpatient"),
    "opt_chronic": ("门诊慢特病", "Chronic/special outpatient"),
    "opt_maternity_prenatal": ("生育：产前检查", "Maternity: prenatal care"),
    "opt_maternity_delivery": ("生育：分娩", "Maternity: delivery"),
    "opt_none": ("未备案", "Not registered"),
    "opt_long_term": ("长期居住/异地安置", "Long-term residence"),
    "opt_referral": ("转诊", "Referral"),
    "opt_emergency": ("急诊", "Emergency"),
    "opt_temporary": ("其他临时外出", "Other temporary trip"),
    "opt_waived": ("无需备案", "Not needed"),
    "err_required": ("请填写这一项。", "Please fill this in."),
    "err_amount": (
        "“{value}”不是金额：请用数字填写元，最多两位小数，例如 1234.50。",
        "“{value}” is not an amount: write yuan as digits with at most 2 decimals, e.g. 1234.50.",
    ),
    "err_positive": ("总额要大于 0。", "The total must be more than 0."),
    "err_months": ("请填写 0 或更大的整数月数。", "Give a whole number of months, 0 or more."),
    "err_date": ("请填写日期，例如 2024-06-10。", "Give a date such as 2024-06-10."),
    "err_form": ("请先改正标出的项目。", "Please correct the marked fields first."),
    "err_server": ("服务器没能完成估算：{message}", "The server could not estimate: {message}"),
    "err_network": ("连不上服务器，请稍后再试。", "Could not reach the server; try again."),
    "res_title": ("估算结果", "Estimate"),
    "res_you_pay": ("您大约需要自付", "You pay about"),
    "res_of_total": ("占总费用 {total} 的 {share}", "{share} of the total {total}"),
    "res_who_pays": ("谁付多少", "Who pays what"),
    "res_payments": ("支付明细", "Payments"),
    "res_payer": ("支付方", "Payer"),
    "res_policy": ("政策", "Policy"),
    "res_benefit": ("项目", "Benefit"),
    "res_amount": ("金额（元）", "Amount (yuan)"),
    "res_total": ("费用合计", "Total"),
    "res_split": ("费用构成", "How the bill splits"),
    "res_in_policy": ("政策范围内", "In-policy"),
    "res_class_b_copay": ("乙类先行自付", "Class B first self-pay"),
    "res_mode": ("怎么结算", "How it is settled"),
    "res_scope": ("就医地范围", "Scope"),
    "res_explain": ("一步一步怎么算的", "Step by step"),
    "res_rule": ("规则", "Rule"),
    "res_source": ("来源", "Source"),
    "res_assumed": ("假设数值", "Assumed"),
    "res_assumptions": ("本次估算用到的假设数值", "Assumed numbers used in this estimate"),
    "res_ytd_note": (
        "已计入今年更早的政策范围内费用 {amount}（按一次本地同级就医估算）。",
        "Includes earlier in-policy costs of {amount} this year (estimated as one local bill).",
    ),
    "scope_local": ("本地（参保统筹区内）", "local (home pooling region)"),
    "scope_in_province": ("省内异地", "elsewhere in the home province"),
    "scope_cross_province": ("跨省异地", "another province"),
    "mode_direct": (
        "直接结算：出院时只付自己那部分",
        "Direct settlement: at discharge you pay only your share",
    ),
    "mode_manual": (
        "先全额垫付，回参保地手工报销",
        "Pay in full first, then claim back at home (manual claim)",
    ),
    "payer_basic": ("基本医保", "Basic insurance"),
    "payer_critical": ("大病保险", "Critical-illness insurance"),
    "payer_supplementary": ("惠民保/商业保险", "Supplementary product"),
    "payer_personal_account": ("个人账户", "Personal account"),
    "payer_out_of_pocket": ("个人现金支付", "You pay"),
    "todo_title": ("要做什么", "What to do"),
    "todo_general": (
        "以下是一般性提示，不是您参保地的正式要求；"
        "具体材料和时限请向参保地医保经办机构（或 12393 热线）确认。",
        "This is general guidance, not your home region's official requirements; check the "
        "materials and deadlines with your home insurance office (or the 12393 hotline).",
    ),
    "todo_from_server": ("结算文档给出的办事指引：", "Guidance from the settlement document:"),
    "todo_before": ("看病前", "Before treatment"),
    "todo_at_discharge": ("出院时", "At discharge"),
    "todo_claim": ("回参保地报销", "To claim at home"),
    "todo_register": (
        "出发前在“国家医保服务平台”App 或“国家异地就医备案”小程序办理异地就医备案（线上备案立即生效）；"
        "出院前补办也能直接结算，急诊可事后补办。",
        "Before you go, file the registration (备案) online in the National Medical Insurance "
        "Service Platform app or the cross-region registration mini-program (effective at once); "
        "registering before discharge still allows direct settlement; emergencies may register afterwards.",
    ),
    "todo_registered": (
        "备案已办理：确认备案仍在有效期内，并选择联网的定点医院。",
        "Registration filed: check it is still valid and choose a networked designated hospital.",
    ),
    "todo_designated": (
        "选择医保定点医院；非定点医院的费用通常不能报销。",
        "Choose a designated (定点) hospital; costs at others are usually not paid.",
    ),
    "todo_networked": (
        "这家医院没有开通异地就医直接结算：可以换一家联网医院，或准备回参保地报销。",
        "This hospital does not offer cross-region direct settlement: choose a networked one, or "
        "prepare to claim at home.",
    ),
    "todo_bring_card": (
        "入院和出院结算时带上身份证和医保卡（或医保电子凭证）。",
        "Bring your ID and insurance card (or the e-voucher) at admission and discharge.",
    ),
    "todo_direct": (
        "出院时直接结算：医保部分由医院记账，您只付个人部分。",
        "At discharge the hospital settles directly: you pay only your own share.",
    ),
    "todo_pay_keep": (
        "出院时先全额付款，保存好全部票据。",
        "Pay the whole bill at discharge and keep every paper.",
    ),
    "todo_materials": ("带齐材料回参保地申请手工报销：", "Claim at home with:"),
    "todo_m_invoice": ("医疗费用发票", "the invoices"),
    "todo_m_itemised": ("费用清单", "the itemised bill (费用清单)"),
    "todo_m_summary": ("出院小结或诊断证明", "the discharge summary or diagnosis certificate"),
    "todo_m_id": ("身份证和医保卡", "your ID and insurance card"),
    "todo_m_bank": ("本人银行账户", "your bank account"),
    "todo_m_referral": ("转诊单", "the referral letter (转诊单)"),
    "todo_m_residence": ("异地居住证明", "proof of residence where you live"),
    "todo_deadline": (
        "注意报销时限：各地不同，例如有的城市要求出院后一个月内申请；尽快办理。",
        "Mind the deadline: it differs by region (one city asks within a month of discharge); "
        "claim as soon as you can.",
    ),
    "todo_deadline_by": ("（截止 {date}）", "(by {date})"),
    "todo_products": (
        "惠民保等商业保险在医保结算后再申请理赔，准备同样的发票、清单和诊断证明。",
        "Claim from products such as 惠民保 after basic insurance has settled, with the same "
        "invoices, itemised bill and diagnosis.",
    ),
    "cmp_title": ("换个做法差多少", "What a choice is worth"),
    "cmp_intro": (
        "同一笔费用，改变一个条件后您自付多少（与您的情况相比）。",
        "The same bill with one thing changed: what you would pay, compared with your case.",
    ),
    "cmp_yours": ("您的情况", "Your case"),
    "cmp_without_registration": ("不备案", "Without registration"),
    "cmp_with_registration": ("办理备案（{registration}）", "With registration ({registration})"),
    "cmp_level": ("换到{level}", "At {level}"),
    "cmp_without_product": ("不买{product}", "Without {product}"),
    "cmp_with_product": ("买了{product}", "With {product}"),
    "cmp_more": ("多付 {amount}", "{amount} more"),
    "cmp_less": ("少付 {amount}", "{amount} less"),
    "cmp_same": ("没有差别", "no difference"),
    "cmp_failed": ("这个方案算不出来：{message}", "This scenario could not be estimated: {message}"),
    "pol_title": ("政策浏览", "Policy browser"),
    "pol_intro": (
        "内置的每个险种、大病保险和惠民保产品的每个版本，及其参数和来源。",
        "Every installed scheme, critical-illness plan and product edition, with its parameters and sources.",
    ),
    "pol_filter": ("筛选（名称、编号或地区代码）", "Filter (name, id or region code)"),
    "pol_kind_basic": ("基本医保", "Basic schemes"),
    "pol_kind_critical": ("大病保险", "Critical-illness plans"),
    "pol_kind_supplementary": ("惠民保/商业保险", "Supplementary products"),
    "pol_kind_crossregion": ("异地就医规则", "Cross-region rules"),
    "pol_valid": ("有效期", "Valid"),
    "pol_published": ("发布日期", "Published"),
    "pol_region": ("地区代码", "Region"),
    "pol_assumed_count": ("假设参数块", "Assumed blocks"),
    "pol_parameters": ("参数（按政策文件原样）", "Parameters (as written in the file)"),
    "pol_sources": ("来源", "Sources"),
    "pol_assumed": ("假设数值（没有找到公开来源）", "Assumed numbers (no public source found)"),
    "pol_editions": ("其他版本", "Editions"),
    "pol_back": ("返回政策列表", "Back to all policies"),
    "pol_supersedes": ("更正", "Corrects"),
}


def words(lang: Lang) -> dict[str, str]:
    """Every string of the page in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in _WORDS.items()}


def pick_lang(value: str | None) -> Lang:
    """The page language from the `lang` query parameter; Chinese unless 'en'."""
    return "en" if value == "en" else "zh"
