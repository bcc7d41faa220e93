#!/usr/bin/env python3
"""Generate templates/forms/<id>.yaml for the PROPOSED/DERIVED forms of DOMAIN §1.

Run once by a developer (never at build time):

    python3 scripts/gen-forms.py            # writes the YAML files and src/forms/builtin.rs

Inputs: the catalogue table of /work/shared/spec/DOMAIN.md (ids, titles, Traditional titles,
areas, seeds, status) and scripts/forms_catalogue.txt (the layout of each form in a short
notation, written by hand from DOMAIN's field lists). The 9 forms of DOMAIN §1.A are written by
hand and never overwritten. Keys: canonical keys of DOMAIN §3 where a label names one, else an
English snake_case key composed from a word list.
"""

import json
import os
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOMAIN = pathlib.Path("/work/shared/spec/DOMAIN.md")
FORMS = ROOT / "templates" / "forms"
HAND = {
    "customer_info", "survey_plan", "customer_info_survey", "credit_survey", "survey_analysis_report",
    "customer_classification_grading", "key_customer_data_card", "salesperson_sales_performance",
    "salesperson_gross_profit",
}
AREA = {  # DOMAIN §1 heading → the short area name printed in listings
    "客户信息": "客户信息", "客户调查": "客户调查", "客户分级": "客户分级", "关系维护与日常交往": "关系维护",
    "客户提案": "客户提案", "信用": "信用", "渠道": "渠道", "货款": "货款", "开发与销售业绩": "开发与销售业绩",
    "大客户": "大客户", "服务质量与服务承诺": "服务质量", "售后": "售后", "投诉": "投诉", "呼叫中心": "呼叫中心",
    "客服人员管理": "客服人员管理",
}

# Canonical keys of DOMAIN §3 for labels that name one (T01 unless the form's source says else).
CANON = {
    "客户编号": "customer_id", "客户名称": "name", "客户": "customer_name", "客户姓名": "name",
    "客户类型": "customer_type", "所属行业": "industry", "业种": "industry", "区域": "region",
    "地址": "address", "详细地址": "address", "联系人": "contact_name", "职务": "contact_title",
    "电话": "phone", "电话/手机": "phone", "联系方式": "phone", "邮箱": "email", "微信/QQ": "im",
    "客户来源": "source", "来源": "source", "客户需求": "needs", "首次接触时间": "first_contact_date",
    "客户状态": "status", "负责人": "owner", "负责人(业务员)": "owner", "第二联系人": "co_owner",
    "等级": "grade", "客户等级": "grade", "信用等级": "credit_grade", "资信等级": "credit_grade",
    "赊销限额": "credit_limit", "登记日期": "created_date", "建档日期": "created_date", "省": "province",
    "市": "city", "企业性质": "ownership", "业务员": "staff", "渠道类型": "channel",
    "投诉编号": "complaint_no", "受理时间": "received_at", "投诉渠道": "channel", "投诉类型": "type",
    "投诉内容": "content", "客户要求": "demand", "紧急程度": "severity", "受理人": "receiver",
    "处理人": "handler", "责任部门": "dept", "初步方案反馈时间": "response_at", "结案时间": "closed_at",
    "处理措施": "resolution", "赔偿金额": "compensation", "索赔金额": "claim_amount",
    "核定金额": "claim_approved", "客户满意度": "satisfaction", "产品/批号": "product",
    "接触时间": "contact_time", "录入时间": "entry_time", "我方人员": "staff", "对方联系人": "counterpart",
    "内容摘要": "content", "下次跟进日期": "next_date", "承诺事项": "commitment", "拜访目的": "purpose",
    "是否有决策权": "decision_maker", "登记编号": "service_no", "服务单号": "service_no",
    "维修单号": "service_no", "服务类型": "service_type", "问题描述": "issue", "故障现象": "issue",
    "服务人员": "staff", "维修人": "staff", "是否保修期内": "in_warranty", "型号": "model",
    "日期时间": "call_time", "来电号码": "number", "号码": "number", "座席员": "agent",
    "业务类型": "call_type", "接通": "connected", "通话时长(秒)": "duration_s", "调查日期": "survey_date",
    "调查方式": "method", "产品质量": "q_quality", "交货及时性": "q_delivery", "服务态度": "q_attitude",
    "响应速度": "q_response", "投诉处理": "q_complaint", "售后服务": "q_aftersales",
    "总体满意度": "overall", "再次购买意愿": "rebuy", "推荐意愿": "recommend",
    "价格敏感度": "price_sensitivity", "质量事故宽容度": "tolerance", "意见建议": "comments",
    "调查人": "surveyor", "调查员": "surveyor", "清单号": "order_no", "开单日期": "order_date",
    "客户指定送货日期": "requested_date", "原单号": "orig_order_no", "原因类别": "reason_cat",
    "退/换": "kind", "单价": "unit_price", "数量": "qty", "金额": "amount", "规格": "spec",
    "单位": "unit", "折扣": "discount", "产品": "product", "组别": "group", "工号": "staff_id",
}

# Words for composing the other keys (longest match first).
WORDS = {
    "下达人": "issuer", "交际": "socializing", "优惠": "rebate", "作废": "cancelled", "其他": "other",
    "区县": "district", "单号": "doc_no", "可行性": "feasibility", "后续行动": "next_actions",
    "品质": "quality", "工作纪律": "work_discipline", "差旅费": "travel", "折扣": "discount",
    "推销": "visit_orders", "收费合理": "fair_charges", "是否": "is", "超时": "over_time_limit",
    "机车保险": "vehicle_insurance", "油料": "fuel", "津贴": "allowance", "活动响应": "activity_response",
    "登记人": "registrar", "经济效益": "economic_benefit", "薪水": "salary", "误期": "late_delivery",
    "赠送": "gifts", "通信": "mail_phone", "邮件": "email", "销货": "sales", "退回": "returns",
    "传真": "fax", "明细": "details", "区": "district", "县": "county", "单价": "unit_price", "及时": "timeliness", "及时率": "timely_rate", "创新性": "innovation", "难度": "difficulty", "推广": "rollout",
    "客户": "customer", "名称": "name", "编号": "no", "日期": "date", "时间": "time", "期间": "period",
    "统计": "stat", "月份": "month", "年度": "year", "本期": "cur", "上期": "prev", "本月": "month",
    "上月": "last_month", "上年同期": "last_year", "上年同月": "last_year_month", "同比": "yoy",
    "环比": "mom", "累计": "cum", "目标": "target", "完成率": "completion_rate", "完成": "done",
    "实销额": "net_sales", "实销": "net_sales", "实收款": "received", "实收": "received",
    "应收款": "receivable", "应收余额": "ar_balance", "应收": "receivable", "余额": "balance",
    "订货累计额": "orders_total", "订货": "orders", "退货额": "returns", "退货": "returns",
    "合同额": "contract_amount", "合同号": "contract_no", "合同": "contract", "金额": "amount",
    "费用": "expense", "预算": "budget", "额": "amount", "率": "rate", "占比": "share", "比例": "ratio",
    "增长": "growth", "增减": "change", "数量": "qty", "次数": "times", "人数": "headcount",
    "件数": "cases", "天数": "days", "份数": "copies", "数": "count", "得分": "score", "总分": "total_score",
    "分": "score", "权重": "weight", "名次": "rank", "排名": "rank", "等级": "grade", "级别": "level",
    "类型": "type", "类别": "category", "种类": "category", "分类": "class", "维度": "dimension",
    "内容": "content", "说明": "note", "描述": "description", "备注": "remark", "原因": "reason",
    "措施": "measures", "对策": "countermeasure", "建议": "suggestion", "意见": "opinion", "结果": "result",
    "结论": "conclusion", "情况": "status", "状态": "state", "问题": "issue", "要求": "request",
    "事由": "cause", "理由": "reason", "计划": "plan", "方案": "scheme", "方式": "method", "方法": "method",
    "渠道": "channel", "来源": "source", "需求": "needs", "目的": "purpose", "主题": "topic", "议题": "agenda",
    "报告": "report", "报告人": "reporter", "申请": "application", "申请人": "applicant", "审批": "approval",
    "审核": "review", "审查": "review", "评定": "rating", "评估": "assessment", "评价": "evaluation",
    "考核": "appraisal", "考评": "appraisal", "检查": "inspection", "调查": "survey", "分析": "analysis",
    "跟进": "followup", "跟踪": "tracking", "追踪": "tracking", "回访": "revisit", "拜访": "visit",
    "访问": "visit", "联络": "contact", "联系": "contact", "沟通": "communication", "互动": "interaction",
    "接待": "reception", "来访": "visitor", "款待": "entertainment", "招待": "hospitality", "会议": "meeting",
    "礼品": "gift", "馈赠": "gift", "提案": "proposal", "实施": "implementation", "采用": "adoption",
    "奖励": "reward", "奖": "reward", "惩": "penalty", "处分": "discipline", "培训": "training",
    "讲师": "trainer", "学员": "trainee", "课时": "hours", "成绩": "result", "请假": "leave",
    "出勤": "attendance", "考勤": "attendance", "上班": "on_duty", "下班": "off_duty", "加班": "overtime",
    "签字": "signature", "签名": "signature", "签章": "seal", "盖章": "seal", "签收": "receipt_signature",
    "确认": "confirmation", "姓名": "person_name", "部门": "dept", "岗位": "post", "职位": "position",
    "职务": "title", "人员": "staff", "负责": "responsible", "责任人": "responsible_person", "责任": "responsibility",
    "经办人": "handler", "处理": "handling", "受理": "intake", "投诉": "complaint", "索赔": "claim",
    "赔偿": "compensation", "纠纷": "dispute", "预警": "warning", "阈值": "threshold", "当前值": "current_value",
    "指标": "indicator", "标准": "standard", "质量": "quality", "服务": "service", "售后": "after_sales",
    "维修": "repair", "保养": "maintenance", "零件": "parts", "工时": "labour_hours", "产品": "product",
    "设备": "equipment", "型号": "model", "序列号": "serial", "购买": "purchase", "安装": "install",
    "使用": "usage", "网点": "outlet", "营销点": "outlet", "区域": "region", "市场": "market",
    "竞争对手": "competitor", "潜在": "potential", "意向": "intent", "成交": "won", "流失": "lost",
    "新增": "new", "净增": "net_new", "保有": "retained", "关系": "relationship", "强化": "strengthening",
    "价值": "value", "贡献": "contribution", "利润": "profit", "毛利": "gross_profit", "净利润": "net_profit",
    "边际": "marginal", "成本": "cost", "消费": "consumption", "频次": "frequency", "综合": "overall",
    "信用": "credit", "资信": "credit", "赊销": "credit_sales", "担保": "guarantee", "期票": "note",
    "利息": "interest", "损益": "pl", "账龄": "aging", "逾期": "overdue", "回收": "collection",
    "期初": "opening", "期末": "closing", "年末": "year_end", "年": "year", "月": "month", "日": "day",
    "周期": "cycle", "期限": "deadline", "有效期": "validity", "频率": "frequency", "地点": "place",
    "地址": "address", "住址": "home_address", "工作单位": "employer", "单位": "unit", "电话": "phone",
    "手机": "mobile", "固定": "fixed", "微信": "wechat", "邮箱": "email", "邮编": "postcode", "省": "province",
    "市": "city", "区/县": "district", "路线": "route", "路序": "route_order", "业务员": "staff",
    "业务": "business", "组别": "group", "小组": "team", "销售": "sales", "收入": "revenue",
    "销售额": "sales", "净额": "net", "季节": "seasonal", "变动": "variation", "指数": "index",
    "平均": "average", "合计": "total", "总数": "total", "总额": "total", "总": "total", "项目": "item",
    "大客户": "key_account", "重点": "key", "决策": "decision", "组织": "organisation", "结构": "structure",
    "采购": "purchase", "流程": "process", "品牌": "brand", "偏好": "preference", "兴趣": "interest",
    "爱好": "hobby", "生活": "life", "习惯": "habit", "家庭": "family", "生日": "birthday", "纪念日": "anniversary",
    "更新": "update", "记录": "record", "资料": "data", "建卡": "card_created", "建档": "filed",
    "保管": "custody", "密级": "secrecy", "存放": "storage", "位置": "location", "借阅": "loan",
    "归还": "return", "情报": "intelligence", "变更": "change", "原": "old", "新": "new", "获得": "obtained",
    "填报人": "reporter", "填写人": "filled_by", "填写": "filled", "次日": "next_day", "当日": "day",
    "小结": "summary", "主管": "supervisor", "批示": "instruction", "反映": "feedback", "反馈": "feedback",
    "看重": "valued", "因素": "factor", "重要度": "importance", "表现": "performance", "差距": "gap",
    "改进": "improvement", "整改": "rectification", "首次": "first", "最近": "last", "最后": "last",
    "上次": "last", "本次": "this", "下次": "next", "距今": "since", "平均间隔": "avg_interval",
    "间隔": "interval", "品类": "category", "季节性": "seasonality", "再次": "repeat", "趋势": "trend",
    "变化": "change", "受访人": "interviewee", "对象": "subject", "个人": "personal", "基本": "basic",
    "家庭人口": "household", "支出": "spending", "储蓄": "savings", "财产": "assets", "住房": "housing",
    "嗜好": "hobbies", "认知": "awareness", "程度": "level", "经营": "business", "管理": "management",
    "水平": "level", "合作伙伴": "partners", "员工": "staff", "规模": "scale", "归类": "classification",
    "价格": "price", "承受": "tolerance", "能力": "ability", "期望": "expected", "相关": "related",
    "构成": "composition", "焦点": "focus", "关注": "attention", "排序": "order", "比较": "comparison",
    "满意度": "satisfaction", "满意": "satisfied", "推荐": "recommend", "意愿": "intent", "交期": "lead_time",
    "交货": "delivery", "技术": "technical", "支持": "support", "专属": "dedicated", "小组评价": "team_rating",
    "交往": "dealings", "宴请": "banquet", "效果": "effect", "申请单号": "application_no", "实际": "actual",
    "参加": "attending", "参会": "attendees", "超预算": "over_budget", "陪同": "escort", "会议室": "meeting_room",
    "起止": "from_to", "主持人": "host", "记录人": "recorder", "讨论": "discussion", "决议": "resolution",
    "事项": "matters", "受赠人": "recipient", "接待者": "host_person", "回访日期": "revisit_date",
    "落实": "follow_through", "承诺": "commitment", "异动": "change", "态度": "attitude", "存在": "existing",
    "报告摘要": "report_summary", "摘要": "summary", "营业额": "revenue", "增长率": "growth_rate",
    "发展": "development", "潜力": "potential", "设定": "designation", "符合": "compliant", "现状": "situation",
    "机会": "opportunity", "关键": "key", "决策人": "decision_maker", "交易": "trade", "收款": "receipt",
    "档案": "archive", "历史": "history", "问卷": "questionnaire", "衡量": "measure", "标准值": "standard_value",
    "达标": "met", "当期": "current", "开始": "start", "结束": "end", "审核员": "auditor", "条款": "clause",
    "依据": "basis", "范围": "scope", "发现": "finding", "纠正": "corrective", "不符合": "nonconforming",
    "承诺方": "promisor", "违诺": "breach", "监督": "supervision", "派工": "dispatch", "约定": "agreed",
    "上门": "onsite", "联系日期": "contact_date", "更换": "replaced", "过程": "process", "保修": "warranty",
    "跟踪日期": "tracking_date", "信息": "info", "转交": "forwarded", "回复": "reply", "请求": "request",
    "时限": "time_limit", "经过": "course", "认定": "determination", "同步": "sync", "致": "to",
    "签发人": "issuer", "期间": "period", "达标率": "met_rate", "时长": "duration", "结案率": "closure_rate",
    "满意率": "satisfaction_rate", "主要": "main", "案件": "cases", "汇总": "summary", "换货": "exchange",
    "防范": "prevention", "可能": "possible", "风险点": "risk_point", "风险": "risk", "环节": "step",
    "呼入": "inbound", "呼出": "outbound", "转接": "transferred", "需": "need", "座席": "agent",
    "质检员": "qa_inspector", "录音": "recording", "开场白": "opening", "用语": "wording", "准确": "accuracy",
    "解决": "resolution", "结束语": "closing", "被评估人": "assessee", "被考核人": "appraisee",
    "评语": "comments", "培养下属": "coaching", "导向": "orientation", "沟通能力": "communication",
    "事假": "personal_leave", "交接人": "handover_person", "违纪": "misconduct", "事实": "facts",
    "批准人": "approver", "机构": "institution", "人力资源": "hr", "总经理": "gm", "专业": "professional",
    "知识": "knowledge", "应变": "adaptability", "团队": "team", "合作": "cooperation", "学习": "learning",
    "自评": "self_assessment", "不足": "shortcomings", "效率": "efficiency", "积极性": "initiative",
    "责任心": "responsibility", "纪律性": "discipline", "协作性": "cooperation", "意识": "awareness",
    "调动": "transfer", "晋升": "promotion", "拟调": "proposed", "现": "current", "原部门": "old_dept",
    "清单": "slip", "开单": "issued", "送货": "delivery", "收货人": "consignee", "商品": "goods",
    "规格": "spec", "节点": "milestone", "计划日期": "planned_date", "实付": "paid", "应付": "due",
    "签订": "signed", "履约": "performance", "服务小组": "service_team", "近12个月": "ttm",
    "申请理由": "application_reason", "设定标准": "designation_criteria", "下月": "next_month",
    "占公司": "of_company", "基本情况": "basics", "服务项目": "service_item", "质量目标": "quality_target",
    "步骤": "step", "检查频率": "check_frequency", "抽": "", "及": "and", "和": "and", "或": "or",
    "每": "per", "全部": "all", "公司": "company", "本企业": "our", "企业": "enterprise",
    "法人代表": "legal_rep", "成立": "founded", "注册资本": "registered_capital", "经营范围": "business_scope",
    "开户银行": "bank", "账号": "account_no", "税号": "tax_no", "年采购额": "annual_purchase",
    "往来": "dealings", "动态": "dynamics", "主要产品": "main_products", "保有/流失": "retention",
    "分组": "group", "分组方式": "group_by", "路线编号": "route_no", "路线名称": "route_name",
    "过去": "past", "现在": "present", "将来": "future", "预计": "expected", "判断": "judgement",
    "分析日期": "analysis_date", "前3名": "top3", "维护": "maintenance", "定义": "definition",
    "下限": "lower_bound", "阈": "threshold", "未分级": "ungraded", "建议等级": "suggested_grade",
    "健康": "health", "补救": "remedy", "挽留": "retention", "判定": "determined", "叛变": "defect",
    "编制": "prepared", "质检": "qa", "工号": "staff_id", "签": "sign", "周": "week",
}


def words_key(label):
    """Compose an English snake_case key from a Chinese label, longest word first."""
    s = re.sub(r"[()()%%::、·,,/\s~>≤]+", " ", label)
    out, i = [], 0
    ws = sorted(WORDS, key=len, reverse=True)
    while i < len(s):
        ch = s[i]
        if ch == " ":
            i += 1
            continue
        if ch.isascii() and ch.isalnum():
            j = i
            while j < len(s) and s[j].isascii() and s[j].isalnum():
                j += 1
            out.append(s[i:j].lower())
            i = j
            continue
        for w in ws:
            if s.startswith(w, i):
                if WORDS[w]:
                    out.append(WORDS[w])
                i += len(w)
                break
        else:
            i += 1  # a character no word covers: skipped
    key = "_".join(x for x in out if x)
    key = re.sub(r"_+", "_", key).strip("_")
    return key or "field"


def key_for(label, source=None):
    base = re.sub(r"\s+", "", label)
    if base in CANON:
        k = CANON[base]
        if k == "customer_name" and source == "customers":
            return "name"
        return k
    return words_key(base)


# The English title is the id spelled out: the ids of DOMAIN §1 are English already.
ABBR = {"mgmt": "management", "cs": "customer-service", "info": "information", "stats": "statistics",
        "calc": "calculation", "ar": "AR"}


def _english_titles():
    """id → English title, translated from the Chinese title (scripts/forms_titles_en.txt)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forms_titles_en.txt")
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#") and "|" in line:
                k, v = line.split("|", 1)
                out[k.strip()] = v.strip()
    return out


ENGLISH_TITLES = _english_titles()


def english_title(fid):
    if fid in ENGLISH_TITLES:
        return ENGLISH_TITLES[fid]
    # Fallback for a new line in the catalogue without a translation yet: the id spelled out.
    words = [ABBR.get(w, w) for w in fid.split("_")]
    t = " ".join(words)
    return t[0].upper() + t[1:]


# ---------------------------------------------------------------- DOMAIN catalogue table

def domain_rows():
    t = DOMAIN.read_text()
    a, b = t.index("### 1.1 "), t.index("### 1.A ")
    area, rows = None, {}
    for line in t[a:b].splitlines():
        m = re.match(r"### 1\.\d+ (\S+)", line)
        if m:
            area = AREA[m.group(1)]
            continue
        if re.match(r"\| \d+ \|", line):
            c = [x.strip() for x in line.strip().strip("|").split(" | ")]
            hant = c[3].split(" / ")[0] if c[3] not in ("—", "") else None
            rows[c[1].strip("`")] = dict(
                num=int(c[0]), title=c[2], hant=hant, seeds=c[4], status=c[5].strip("*").lower(), area=area
            )
    return rows


# ---------------------------------------------------------------- item notation

TEXTY = re.compile(r"内容|描述|原因|措施|建议|意见|经过|说明|过程|结论|问题|对策|要求|事由|理由|小结|批示|摘要|反映|方案|分析|评价|计划|效果|情况")
KINDS = {"d": "date", "dt": "datetime", "mo": "month", "m": "money", "b": "bool", "x": "text", "s": "score"}


def split_items(text):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == ";" and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def infer_kind(label):
    l = re.sub(r"\(.*?\)", "", label)
    if l.startswith("是否"):
        return "bool", None
    if "日期" in l or l.endswith("期限") and "天" not in l:
        return "date", None
    if l.endswith("时间") and "起止" not in l and "希望" not in l and "培训" not in l:
        return "datetime", None
    if l.endswith("%") or l.endswith("率") or "占比" in l:
        return "number", "%"
    if re.search(r"金额|费用|预算|单价|赔偿|实销额|合同额|应收|实收|余额|销售额|订货|收款|成本|利润|毛利|损益|净额|增长额|增减额|贡献$|年采购额|注册资本|工资|薪水|津贴|保险|油料|差旅费|交际|赠送|退货额|作废|优惠|影响$", l):
        return "money", None
    if re.search(r"(数|数量|次数|人数|件数|天数|份数|课时|工时|得分|总分|名次|排名|排序)$", l):
        return "number", None
    return "text", None


def parse_item(raw):
    """One item → dict(label, kind, options, unit, lines, group_cols, header)."""
    it = {"header": False}
    if raw.startswith("~"):
        it["header"] = True
        raw = raw[1:]
    kind_tok = None
    m = re.match(r"^(.*?):([a-z]+\d*|n\S*|%|t\d+)$", raw)
    if m:
        raw, kind_tok = m.group(1), m.group(2)
    group = re.match(r"^(.*?)\{(.*)\}$", raw)
    if group:
        it["label"] = group.group(1).strip()
        it["group_cols"] = [x.strip() for x in group.group(2).split("/")]
        return it
    opts = None
    multi = False
    m = re.match(r"^(.*)\[(.*)\]$", raw)
    if m and "/" in m.group(2):
        raw, opts, multi = m.group(1), m.group(2).split("/"), True
    else:
        m = re.match(r"^(.*?)\(([^()]*)\)$", raw)
        if m and "/" in m.group(2):
            raw, opts = m.group(1), m.group(2).split("/")
    label = raw.strip()
    it["label"] = label
    unit = None
    if kind_tok is None:
        if opts:
            kind = "multi" if multi else ("bool" if opts == ["是", "否"] else "choice")
        else:
            kind, unit = infer_kind(label)
    elif kind_tok.startswith("t"):
        kind = "textarea"
        it["lines"] = int(kind_tok[1:])
    elif kind_tok == "%":
        kind, unit = "number", "%"
    elif kind_tok.startswith("n"):
        kind, unit = "number", (kind_tok[1:] or None)
    else:
        kind = KINDS[kind_tok]
    if kind == "score":
        kind, opts = "choice", ["1", "2", "3", "4", "5"]
    if kind == "bool" and not opts:
        opts = ["是", "否"]
    if kind == "text" and kind_tok is None and TEXTY.search(label) and not it["header"]:
        it["long"] = True
    if label.endswith("%") and unit == "%":
        it["label"] = label[:-1]
    it.update(kind=kind, options=[o.strip() for o in opts] if opts else [], unit=unit)
    return it


def label_span(label):
    n = len(label)
    return 2 if n <= 6 else 3 if n <= 10 else 4


def option_width(it):
    """Rough width of an option list in grid columns of 14 mm (10.5 pt CJK ≈ 3.7 mm/char)."""
    chars = sum(len(o) for o in it["options"]) + 1.7 * len(it["options"])
    return chars * 3.7 / 14.2


# ---------------------------------------------------------------- YAML writing

def q(s):
    """A YAML scalar: quoted with JSON rules when it could be misread."""
    if s == "" or re.search(r"[:#,\[\]{}&*!|>'\"%@`~?-]|^\s|\s$", s) or s in ("是", "否") or re.match(r"^[\d.]+$", s):
        return json.dumps(s, ensure_ascii=False)
    return s


def field_yaml(f):
    parts = []
    for k in ("label", "key", "kind", "span", "label_span", "options", "unit", "lines"):
        v = f.get(k)
        if v is None or v == [] or (k == "kind" and v == "text"):
            continue
        if k == "options":
            parts.append("options: [" + ", ".join(q(o) for o in v) + "]")
        elif isinstance(v, int):
            parts.append(f"{k}: {v}")
        else:
            parts.append(f"{k}: {q(v)}")
    return "{" + ", ".join(parts) + "}"


class Keys:
    def __init__(self, source):
        self.used, self.source = set(), source

    def get(self, label):
        k = key_for(label, self.source)
        base, n = k, 2
        while k in self.used:
            k = f"{base}_{n}"
            n += 1
        self.used.add(k)
        return k


def grid_rows(items, keys, landscape):
    """Pack fields into 12-column rows: short fields two to a row, long ones alone."""
    rows, pending = [], None
    for it in items:
        # “_label” prints no label (the section title says it); the key still comes from it.
        bare = it["label"].startswith("_")
        name = it["label"].lstrip("_")
        f = {"label": "" if bare else name, "key": keys.get(name), "kind": it["kind"], "options": it["options"],
             "unit": it.get("unit"), "lines": it.get("lines")}
        if f["kind"] == "textarea" or it.get("long") and not f["options"]:
            if it.get("long"):
                f["kind"], f["lines"] = "textarea", 2
            full = True
        elif f["kind"] in ("choice", "multi"):
            full = option_width(it) > (8 if landscape else 4) - 0.3
        elif f["kind"] == "datetime":
            # 年 月 日 时 分 with room to write does not fit a half row of portrait A4.
            full = not landscape
        else:
            full = False
        if full:
            if pending:
                pending["span"] = 12
                rows.append([pending])
                pending = None
            f["span"] = 12
            rows.append([f])
        elif pending:
            pending["span"], f["span"] = 6, 6
            rows.append([pending, f])
            pending = None
        else:
            pending = f
    if pending:
        pending["span"] = 12
        rows.append([pending])
    # One label width per section, so the grey label column lines up from row to row: the
    # widest label decides (2 columns up to 6 characters, 3 up to 10, else 4 on full rows; half
    # rows keep at most 3 and let a longer label wrap, so the blank keeps room for 年 月 日).
    widest = max((label_span(f["label"]) for row in rows for f in row if f["label"]), default=2)
    if any(len(row) > 1 for row in rows):
        widest = min(widest, 3)
    for row in rows:
        for f in row:
            f["label_span"] = widest if f["label"] else 0
    return rows


def column_width(it):
    if it["kind"] == "text" and (it.get("long") or it.get("wide")):
        return 2.0
    n = len(it["label"])
    if it["kind"] in ("date", "datetime"):
        return 1.3
    if it["kind"] in ("choice", "multi") and it["options"]:
        return max(1.0, min(2.6, option_width(it) * 0.5))
    return 1.0 if n <= 5 else 1.2


def gen(fid, mode, text, meta):
    landscape = "L" in mode
    table_mode = mode.startswith("t")
    sigs, signoff = None, False
    raw_items = split_items(text)
    items, row_labels = [], []
    for r in raw_items:
        if r.startswith("sig="):
            sigs = [] if r[4:] == "-" else r[4:].split("/")
        elif r == "signoff":
            signoff = True
        elif r.startswith("="):
            row_labels = [x.split(">") for x in r[1:].split("/")]
            if items and items[-1].get("table"):
                items[-1]["row_labels"] = row_labels
                row_labels = []
        elif r.startswith("!"):
            items.append({"section": r[1:]})
        elif r.startswith("@"):
            m = re.match(r"^@(.*?)\((.*)\)(#(\d+))?$", r)
            items.append({"table": m.group(1), "cols": m.group(2).split("/"),
                          "rows": int(m.group(4)) if m.group(4) else None})
        else:
            items.append(parse_item(r))
    source = SOURCE.get(fid)
    keys = Keys(source)
    header = [i for i in items if i.get("header")]
    body = [i for i in items if not i.get("header")]
    out = [f"# {meta['title']} — DOMAIN §1 #{meta['num']} ({meta['status'].upper()}; seeds: {meta['seeds']}).",
           "# Generated by scripts/gen-forms.py from scripts/forms_catalogue.txt; edit either and regenerate,",
           "# or edit this file by hand and drop its line from the catalogue.",
           f"id: {fid}", f"title: {q(meta['title'])}"]
    if meta["hant"]:
        out.append(f"title_hant: {q(meta['hant'])}")
    out.append(f"title_en: {q(english_title(fid))}")
    out += [f"area: {meta['area']}", f"status: {meta['status']}", f"seeds: {q(meta['seeds'])}"]
    if landscape:
        out.append("paper: a4-landscape")
    if source:
        out.append(f"source: {source}")
    # Header line: 编号 and 填表日期 unless the form names its own items.
    hdr = [{"label": "编号", "key": "form_no"}]
    for h in header:
        f = {"label": h["label"], "key": keys.get(h["label"]), "kind": h["kind"], "options": h["options"]}
        hdr.append(f)
    if not any(h.get("kind") == "date" for h in hdr):
        hdr.append({"label": "填表日期", "key": "fill_date", "kind": "date"})
    out.append("header:")
    for h in hdr:
        out.append(f"  - {field_yaml(h)}")
    out.append("sections:")
    if table_mode:
        cols, widths = [], []
        for it in body:
            if it.get("group_cols"):
                gk = key_for(it["label"], source)
                for c in it["group_cols"]:
                    # The sub-column's own word decides (得分 under 合同额), else the group's.
                    kind, _ = infer_kind(c)
                    if kind == "text":
                        kind, _ = infer_kind(it["label"])
                    if "账龄" in it["label"] or "退回" in it["label"]:
                        kind = "money"
                    if c in ("A", "B", "C", "D", "未分级"):
                        kind = "number"
                    if it["label"] == "出勤":
                        kind = "text"
                    cols.append({"label": c, "key": f"{gk}_{words_key(c)}", "kind": kind, "group": it["label"], "width": 1.0 if len(it["group_cols"]) < 10 else 0.6})
            else:
                cols.append({"label": it["label"], "key": key_for(it["label"], source), "kind": it["kind"],
                             "width": column_width(it), "unit": it.get("unit"), "options": it["options"]})
        seen = set()
        for c in cols:
            base, n = c["key"], 2
            while c["key"] in seen:
                c["key"] = f"{base}_{n}"
                n += 1
            seen.add(c["key"])
        out.append("  - table:")
        out.append("      key: lines")
        out.append("      columns:")
        for c in cols:
            parts = [f"label: {q(c['label'])}", f"key: {c['key']}"]
            if c["kind"] in ("money", "number", "date", "datetime", "month", "choice", "multi", "bool"):
                parts.append(f"kind: {c['kind']}")
            if c.get("options"):
                parts.append("options: [" + ", ".join(q(o) for o in c["options"]) + "]")
            if c["width"] != 1.0:
                parts.append(f"width: {c['width']}")
            if c.get("group"):
                parts.append(f"group: {q(c['group'])}")
            out.append("        - {" + ", ".join(parts) + "}")
        if row_labels:
            out.append("      row_labels:")
            for rl in row_labels:
                out.append("        - [" + ", ".join(q(x) for x in rl) + "]")
        else:
            out.append("      rows: fill")
    else:
        section_title, pending = None, []

        def flush():
            if not pending:
                return
            rows = grid_rows(pending, keys, landscape)
            out.append("  - " + (f"title: {q(section_title)}\n    rows:" if section_title else "rows:"))
            for row in rows:
                out.append("      - [" + ", ".join(field_yaml(f) for f in row) + "]")
            pending.clear()

        for it in body:
            if "section" in it:
                flush()
                section_title = it["section"]
            elif "table" in it:
                flush()
                out.append(f"  - title: {q(it['table'])}")
                out.append("    table:")
                out.append(f"      key: {keys.get(it['table'])}")
                out.append("      columns:")
                ck = set()
                for c in it["cols"]:
                    kind, _ = infer_kind(c)
                    k, base, n = words_key(c), words_key(c), 2
                    while k in ck:
                        k = f"{base}_{n}"
                        n += 1
                    ck.add(k)
                    parts = [f"label: {q(c)}", f"key: {k}"]
                    if kind in ("money", "number", "date", "datetime"):
                        parts.append(f"kind: {kind}")
                    if TEXTY.search(c) and kind == "text":
                        parts.append("width: 2.5")
                    out.append("        - {" + ", ".join(parts) + "}")
                if it.get("row_labels"):
                    out.append("      row_labels:")
                    for rl in it["row_labels"]:
                        out.append("        - [" + ", ".join(q(x) for x in rl) + "]")
                elif it["rows"]:
                    out.append(f"      rows: {it['rows']}")
                else:
                    out.append("      rows: fill")
                    out.append("      min_rows: 3")
                section_title = None
            else:
                pending.append(it)
        flush()
    if sigs is not None or signoff:
        out.append("footer:")
        if sigs is not None:
            out.append("  signatures: [" + ", ".join(q(s) for s in sigs) + "]")
        if signoff:
            out.append("  signoff: true")
    return "\n".join(out) + "\n"


# Input table (DOMAIN §3) that fills a form, where one clearly does.
SOURCE = {
    "customer_info_register": "customers", "customer_profile_brief": "customers", "customer_profile_detailed": "customers",
    "customer_data_card": "customers", "customer_info_list": "customers", "customer_address_classification": "customers",
    "customer_region_classification": "customers", "customer_relationship_card": "customers",
    "key_account_profile": "customers", "key_account_archive": "customers",
    "customer_sales_info": "sales_lines", "sales_slip": "sales_lines", "return_exchange_summary": "returns",
    "customer_interaction_record": "interactions", "customer_communication_record": "interactions",
    "visit_management": "interactions", "visit_record": "interactions", "visit_record_card": "interactions",
    "contact_result_report": "interactions", "complaint_register": "complaints", "complaint_handling": "complaints",
    "complaint_mgmt": "complaints", "complaint_investigation": "complaints", "complaint_tracking": "complaints",
    "claims_list": "complaints", "satisfaction_survey": "satisfaction", "key_account_satisfaction_survey": "satisfaction",
    "after_sales_register": "after_sales", "repair_report": "after_sales", "after_sales_report": "after_sales",
    "inbound_call_record": "calls", "outbound_call_record": "calls", "call_log": "calls",
}


def main():
    meta = domain_rows()
    assert len(meta) == 171, len(meta)
    lines = [l for l in (ROOT / "scripts" / "forms_catalogue.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    done = set()
    for line in lines:
        fid, mode, text = [x.strip() for x in line.split("|", 2)]
        if fid not in meta:
            sys.exit(f"unknown form id {fid}")
        if fid in HAND:
            sys.exit(f"{fid} is hand-written")
        (FORMS / f"{fid}.yaml").write_text(gen(fid, mode, text, meta[fid]))
        done.add(fid)
    missing = set(meta) - done - HAND
    if missing:
        sys.exit(f"no layout for: {sorted(missing)}")
    names = sorted(p.name for p in FORMS.glob("*.yaml"))
    rs = ["//! The built-in form definitions, embedded. Generated by `scripts/gen-forms.py`; the test",
          "//! `builtin_list_matches_directory` fails when this list and templates/forms/ differ.", "",
          "pub(crate) static FILES: &[(&str, &str)] = &["]
    for n in names:
        rs.append(f'    (\n        "{n}",\n        include_str!("../../templates/forms/{n}"),\n    ),')
    rs.append("];")
    (ROOT / "src" / "forms" / "builtin.rs").write_text("\n".join(rs) + "\n")
    print(f"{len(done)} generated, {len(names)} files")


if __name__ == "__main__":
    main()
