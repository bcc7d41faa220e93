//! The input tables of DOMAIN §3.1 as data: fields, types, required flags, header aliases, value
//! option lists, and the sheet-name keywords of §3.0.1.

use super::header::normalise_header;
use super::normalise::EnumDef;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The tables kebiao reads (DOMAIN §3.1, T01–T15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableId {
    Customers,
    Products,
    Salespeople,
    Targets,
    Sales,
    Returns,
    Receipts,
    Interactions,
    Complaints,
    CreditSurveys,
    Expenses,
    Satisfaction,
    Activities,
    AfterSales,
    Calls,
}

impl TableId {
    pub const LOADED: [TableId; 15] = [
        TableId::Customers,
        TableId::Products,
        TableId::Salespeople,
        TableId::Targets,
        TableId::Sales,
        TableId::Returns,
        TableId::Receipts,
        TableId::Interactions,
        TableId::Complaints,
        TableId::CreditSurveys,
        TableId::Expenses,
        TableId::Satisfaction,
        TableId::Activities,
        TableId::AfterSales,
        TableId::Calls,
    ];

    /// Canonical Chinese sheet name (DOMAIN §3).
    pub fn zh(self) -> &'static str {
        match self {
            TableId::Customers => "客户信息表",
            TableId::Products => "产品",
            TableId::Salespeople => "业务员",
            TableId::Targets => "销售目标",
            TableId::Sales => "销售明细",
            TableId::Returns => "退货记录",
            TableId::Receipts => "收款记录",
            TableId::Interactions => "客户互动记录",
            TableId::Complaints => "投诉记录",
            TableId::CreditSurveys => "信用调查",
            TableId::Expenses => "费用",
            TableId::Satisfaction => "满意度调查",
            TableId::Activities => "活动参与",
            TableId::AfterSales => "售后服务",
            TableId::Calls => "呼叫记录",
        }
    }

    /// English key as in DOMAIN §3 (`customers`, `sales_lines` ...); also accepted in `--map`.
    pub fn key(self) -> &'static str {
        match self {
            TableId::Customers => "customers",
            TableId::Products => "products",
            TableId::Salespeople => "salespeople",
            TableId::Targets => "targets",
            TableId::Sales => "sales_lines",
            TableId::Returns => "returns",
            TableId::Receipts => "receipts",
            TableId::Interactions => "interactions",
            TableId::Complaints => "complaints",
            TableId::CreditSurveys => "credit_surveys",
            TableId::Expenses => "expenses",
            TableId::Satisfaction => "satisfaction",
            TableId::Activities => "activities",
            TableId::AfterSales => "after_sales",
            TableId::Calls => "calls",
        }
    }

    pub fn is_loaded(self) -> bool {
        Self::LOADED.contains(&self)
    }

    /// A table name as a user may write it in a mapping file: key, Chinese name, T-number.
    pub fn parse(s: &str) -> Option<TableId> {
        let n = normalise_header(s).key;
        ALL.iter().copied().find(|t| {
            n == t.key()
                || n == normalise_header(t.zh()).key
                || n == format!("t{:02}", t.number())
                || (n == "sales" && *t == TableId::Sales)
        })
    }

    pub fn number(self) -> u32 {
        match self {
            TableId::Customers => 1,
            TableId::Products => 2,
            TableId::Salespeople => 3,
            TableId::Targets => 4,
            TableId::Sales => 5,
            TableId::Returns => 6,
            TableId::Receipts => 7,
            TableId::Interactions => 8,
            TableId::Complaints => 9,
            TableId::CreditSurveys => 10,
            TableId::Expenses => 11,
            TableId::Satisfaction => 12,
            TableId::Activities => 13,
            TableId::AfterSales => 14,
            TableId::Calls => 15,
        }
    }
}

pub const ALL: [TableId; 15] = [
    TableId::Customers,
    TableId::Products,
    TableId::Salespeople,
    TableId::Targets,
    TableId::Sales,
    TableId::Returns,
    TableId::Receipts,
    TableId::Interactions,
    TableId::Complaints,
    TableId::CreditSurveys,
    TableId::Expenses,
    TableId::Satisfaction,
    TableId::Activities,
    TableId::AfterSales,
    TableId::Calls,
];

/// §3.0.1 sheet-name keywords.
pub const SHEET_KEYWORDS: &[(&str, TableId)] = &[
    ("客户信息", TableId::Customers),
    ("客户资料", TableId::Customers),
    ("客户档案", TableId::Customers),
    ("客户名单", TableId::Customers),
    ("客户表", TableId::Customers),
    ("销售", TableId::Sales),
    ("订单", TableId::Sales),
    ("销货", TableId::Sales),
    ("出库", TableId::Sales),
    ("发货", TableId::Sales),
    ("开单", TableId::Sales),
    ("明细", TableId::Sales),
    ("退货", TableId::Returns),
    ("退换", TableId::Returns),
    ("红字", TableId::Returns),
    ("收款", TableId::Receipts),
    ("回款", TableId::Receipts),
    ("到账", TableId::Receipts),
    ("拜访", TableId::Interactions),
    ("跟进", TableId::Interactions),
    ("联络", TableId::Interactions),
    ("互动", TableId::Interactions),
    ("沟通", TableId::Interactions),
    ("访问", TableId::Interactions),
    ("投诉", TableId::Complaints),
    ("客诉", TableId::Complaints),
    ("信用", TableId::CreditSurveys),
    ("费用", TableId::Expenses),
    ("报销", TableId::Expenses),
    ("业务员", TableId::Salespeople),
    ("员工", TableId::Salespeople),
    ("人员", TableId::Salespeople),
    ("销售人员", TableId::Salespeople),
    ("目标", TableId::Targets),
    ("任务", TableId::Targets),
    ("指标", TableId::Targets),
    ("产品", TableId::Products),
    ("商品", TableId::Products),
    ("物料", TableId::Products),
    ("存货", TableId::Products),
    ("满意度", TableId::Satisfaction),
    ("活动", TableId::Activities),
    ("售后", TableId::AfterSales),
    ("维修", TableId::AfterSales),
    ("呼叫", TableId::Calls),
    ("来电", TableId::Calls),
    ("通话", TableId::Calls),
];

#[derive(Debug, Clone, Copy)]
pub enum Ty {
    Text,
    /// Identifiers and phone numbers: text, damage from Excel reported (§3 `text`).
    Id,
    Date,
    DateTime,
    Month,
    /// `YYYY-MM` or `YYYY` (T04 期间).
    Period,
    Money,
    Qty,
    Int,
    Bool,
    Enum(&'static EnumDef),
    /// 客户满意度: 1–5, or 满意 5 / 基本满意 3 / 不满意 1.
    Score5,
    /// A T12 survey answer: 1–5, or 非常满意 5 / 满意 4 / 一般 3 / 不满意 2 / 非常不满意 1.
    Survey5,
    /// A duration in seconds: a number of seconds, `mm:ss`, `h:mm:ss`, `3分05秒`, or an Excel time.
    Seconds,
}

impl Ty {
    /// A merged cell of this type is filled down over the rows it covers. Amounts are not: a
    /// merged 合同额 covers lines of one contract and must be counted once.
    pub fn fills_down(self) -> bool {
        !matches!(
            self,
            Ty::Money | Ty::Qty | Ty::Int | Ty::Score5 | Ty::Survey5 | Ty::Seconds
        )
    }
}

#[derive(Debug)]
pub struct FieldDef {
    pub key: &'static str,
    pub header: &'static str,
    pub ty: Ty,
    /// Required on its own (●). "One of" rules (客户编号 / 客户名称) are checked by the model.
    pub req: bool,
    /// Comma-separated aliases, in addition to `header`.
    pub aliases: &'static str,
}

const fn f(
    key: &'static str,
    header: &'static str,
    ty: Ty,
    req: bool,
    aliases: &'static str,
) -> FieldDef {
    FieldDef {
        key,
        header,
        ty,
        req,
        aliases,
    }
}

macro_rules! enum_def {
    ($name:ident, [$($v:expr),*], [$(($a:expr, $b:expr)),*], $fb:expr) => {
        pub static $name: EnumDef = EnumDef { values: &[$($v),*], aliases: &[$(($a, $b)),*], fallback: $fb };
    };
}

enum_def!(
    CUSTOMER_TYPE,
    ["企业客户", "个人客户"],
    [
        ("企业", "企业客户"),
        ("公司", "企业客户"),
        ("单位", "企业客户"),
        ("对公", "企业客户"),
        ("个人", "个人客户"),
        ("自然人", "个人客户"),
        ("散客", "个人客户"),
        ("对私", "个人客户")
    ],
    "其他"
);
enum_def!(
    OWNERSHIP,
    [
        "国有企业",
        "股份有限公司",
        "合伙店铺",
        "合资",
        "个人经营",
        "其他"
    ],
    [
        ("国企", "国有企业"),
        ("国有", "国有企业"),
        ("股份", "股份有限公司"),
        ("合伙", "合伙店铺"),
        ("个体", "个人经营"),
        ("私营", "个人经营")
    ],
    "其他"
);
enum_def!(
    CUSTOMER_STATUS,
    ["潜在客户", "意向客户", "成交客户", "流失客户"],
    [
        ("潜在", "潜在客户"),
        ("意向", "意向客户"),
        ("成交", "成交客户"),
        ("已成交", "成交客户"),
        ("合作中", "成交客户"),
        ("老客户", "成交客户"),
        ("正式客户", "成交客户"),
        ("流失", "流失客户"),
        ("已流失", "流失客户"),
        ("停止合作", "流失客户"),
        ("终止合作", "流失客户")
    ],
    "其他"
);
enum_def!(
    SOURCE,
    [
        "转介绍",
        "市场活动",
        "拜访开发",
        "来电来访",
        "网络",
        "展会",
        "其他"
    ],
    [
        ("介绍", "转介绍"),
        ("推荐", "转介绍"),
        ("活动", "市场活动"),
        ("拜访", "拜访开发"),
        ("陌拜", "拜访开发"),
        ("来电", "来电来访"),
        ("来访", "来电来访"),
        ("网站", "网络"),
        ("线上", "网络"),
        ("展销会", "展会"),
        ("博览会", "展会")
    ],
    "其他"
);
enum_def!(
    CHANNEL,
    ["直销", "经销商", "代理商", "加盟店", "其他"],
    [
        ("经销", "经销商"),
        ("代理", "代理商"),
        ("加盟", "加盟店"),
        ("直营", "直销")
    ],
    "其他"
);
enum_def!(
    GRADE,
    ["A", "B", "C", "D"],
    [
        ("a类", "A"),
        ("b类", "B"),
        ("c类", "C"),
        ("d类", "D"),
        ("a级", "A"),
        ("b级", "B"),
        ("c级", "C"),
        ("d级", "D")
    ],
    "其他"
);
enum_def!(
    CREDIT_GRADE,
    ["AAA", "AA", "A", "B", "C", "未评定"],
    [
        ("aaa级", "AAA"),
        ("aa级", "AA"),
        ("a级", "A"),
        ("b级", "B"),
        ("c级", "C")
    ],
    "未评定"
);
enum_def!(
    PAYMENT_TERMS,
    [
        "现款现货",
        "款到发货",
        "货到付款",
        "月结30天",
        "月结60天",
        "期票/承兑"
    ],
    [
        ("现款", "现款现货"),
        ("现金", "现款现货"),
        ("预付", "款到发货"),
        ("先款后货", "款到发货"),
        ("货到", "货到付款"),
        ("月结30", "月结30天"),
        ("月结60", "月结60天"),
        ("期票", "期票/承兑"),
        ("承兑", "期票/承兑"),
        ("汇票", "期票/承兑")
    ],
    "其他"
);
enum_def!(
    DEPT,
    [
        "销售部",
        "市场部",
        "客户服务部",
        "技术部",
        "运营管理部",
        "投标管理部",
        "数据部门"
    ],
    [
        ("销售", "销售部"),
        ("市场", "市场部"),
        ("客服", "客户服务部"),
        ("客户服务", "客户服务部"),
        ("技术", "技术部"),
        ("运营", "运营管理部"),
        ("投标", "投标管理部"),
        ("数据", "数据部门")
    ],
    "其他"
);
enum_def!(
    STAFF_STATUS,
    ["在职", "离职"],
    [
        ("在岗", "在职"),
        ("正式", "在职"),
        ("试用", "在职"),
        ("已离职", "离职"),
        ("辞职", "离职"),
        ("离岗", "离职")
    ],
    "在职"
);
enum_def!(
    ORDER_CHANNEL,
    ["推销", "通信"],
    [
        ("拜访", "推销"),
        ("访问", "推销"),
        ("上门", "推销"),
        ("电话", "通信"),
        ("来电", "通信"),
        ("信件", "通信"),
        ("来函", "通信"),
        ("传真", "通信"),
        ("邮件", "通信"),
        ("网络", "通信"),
        ("微信", "通信")
    ],
    "其他"
);
enum_def!(
    LINE_STATUS,
    ["正常", "作废"],
    [
        ("取消", "作废"),
        ("已取消", "作废"),
        ("撤单", "作废"),
        ("已作废", "作废"),
        ("有效", "正常"),
        ("已审核", "正常"),
        ("已发货", "正常"),
        ("完成", "正常"),
        ("已完成", "正常")
    ],
    "正常"
);
enum_def!(
    RETURN_REASON,
    ["误期", "业务", "品质", "其他"],
    [("质量", "品质")],
    "其他"
);
enum_def!(
    RETURN_KIND,
    ["退货", "换货"],
    [
        ("退", "退货"),
        ("换", "换货"),
        ("退款", "退货"),
        ("调换", "换货")
    ],
    "退货"
);
enum_def!(
    RECEIPT_METHOD,
    [
        "现金",
        "银行转账",
        "支票",
        "期票",
        "银行承兑汇票",
        "商业承兑汇票",
        "远期支票",
        "其他"
    ],
    [
        ("转账", "银行转账"),
        ("电汇", "银行转账"),
        ("汇款", "银行转账"),
        ("网银", "银行转账"),
        ("银承", "银行承兑汇票"),
        ("商承", "商业承兑汇票"),
        ("承兑汇票", "银行承兑汇票"),
        ("微信", "其他"),
        ("支付宝", "其他")
    ],
    "其他"
);
enum_def!(
    NOTE_STATUS,
    ["未到期", "已兑付", "已贴现", "拒付"],
    [
        ("兑付", "已兑付"),
        ("已承兑", "已兑付"),
        ("贴现", "已贴现"),
        ("退票", "拒付")
    ],
    "其他"
);
enum_def!(
    CONTACT_METHOD,
    [
        "拜访",
        "电话",
        "短信",
        "微信",
        "邮件",
        "接待来访",
        "活动",
        "节假日走访",
        "其他"
    ],
    [
        ("上门", "拜访"),
        ("走访", "拜访"),
        ("来电", "电话"),
        ("电邮", "邮件"),
        ("email", "邮件"),
        ("来访", "接待来访"),
        ("qq", "其他")
    ],
    "其他"
);
enum_def!(
    COMPLAINT_CHANNEL,
    ["电话", "来访", "信函", "邮件", "网络", "其他"],
    [
        ("来电", "电话"),
        ("热线", "电话"),
        ("上门", "来访"),
        ("信件", "信函"),
        ("传真", "信函"),
        ("电邮", "邮件"),
        ("网站", "网络"),
        ("微信", "网络")
    ],
    "其他"
);
enum_def!(
    COMPLAINT_TYPE,
    ["质量", "服务", "交货", "价格", "其他"],
    [
        ("品质", "质量"),
        ("态度", "服务"),
        ("送货", "交货"),
        ("物流", "交货"),
        ("延迟", "交货"),
        ("收费", "价格")
    ],
    "其他"
);
enum_def!(
    COMPLAINT_SEVERITY,
    ["一般", "重大"],
    [
        ("普通", "一般"),
        ("轻微", "一般"),
        ("严重", "重大"),
        ("紧急", "重大"),
        ("重要", "重大")
    ],
    "一般"
);
enum_def!(
    RESOLUTION,
    ["退货", "换货", "维修", "赔偿", "道歉", "解释", "其他"],
    [
        ("退款", "退货"),
        ("更换", "换货"),
        ("返修", "维修"),
        ("补偿", "赔偿"),
        ("致歉", "道歉"),
        ("说明", "解释")
    ],
    "其他"
);
enum_def!(
    COMPLAINT_STATUS,
    ["待处理", "处理中", "已结案"],
    [
        ("未处理", "待处理"),
        ("新建", "待处理"),
        ("跟进中", "处理中"),
        ("结案", "已结案"),
        ("已处理", "已结案"),
        ("完成", "已结案"),
        ("已完成", "已结案"),
        ("关闭", "已结案"),
        ("已关闭", "已结案")
    ],
    "其他"
);
enum_def!(LEGAL_FORM, ["独资", "合伙", "其他"], [], "其他");
enum_def!(
    RATING5,
    ["很好", "好", "普通", "差", "很差"],
    [
        ("优", "很好"),
        ("良", "好"),
        ("一般", "普通"),
        ("中", "普通")
    ],
    "普通"
);
enum_def!(
    BOOKKEEPING,
    ["完备", "不完备"],
    [("健全", "完备"), ("不健全", "不完备")],
    "不完备"
);
enum_def!(
    ORG_TYPE,
    ["国有企业", "个人经营", "股份企业", "合资企业"],
    [
        ("国企", "国有企业"),
        ("个体", "个人经营"),
        ("股份", "股份企业"),
        ("合资", "合资企业")
    ],
    "其他"
);
enum_def!(
    PAY_ATTITUDE,
    ["爽快", "普通", "尚可", "迟延", "为难", "嗜欠尾款"],
    [("延迟", "迟延"), ("拖延", "迟延"), ("一般", "普通")],
    "普通"
);
enum_def!(
    PREMISES_AREA,
    ["处于繁华区", "一般商业区", "偏僻地区"],
    [
        ("繁华", "处于繁华区"),
        ("商业区", "一般商业区"),
        ("偏僻", "偏僻地区")
    ],
    "其他"
);
enum_def!(
    TENURE,
    ["自有", "租用"],
    [("租赁", "租用"), ("自购", "自有")],
    "其他"
);
enum_def!(
    TREND,
    ["兴隆", "成长", "稳定", "衰退", "不定"],
    [("增长", "成长"), ("下降", "衰退"), ("平稳", "稳定")],
    "不定"
);

enum_def!(
    EXPENSE_CATEGORY,
    [
        "薪水",
        "津贴",
        "机车保险",
        "油料",
        "差旅费",
        "交际",
        "赠送",
        "活动",
        "其他"
    ],
    [
        ("工资", "薪水"),
        ("薪资", "薪水"),
        ("底薪", "薪水"),
        ("补贴", "津贴"),
        ("补助", "津贴"),
        ("车险", "机车保险"),
        ("车辆保险", "机车保险"),
        ("保险", "机车保险"),
        ("汽油", "油料"),
        ("油费", "油料"),
        ("燃油", "油料"),
        ("加油", "油料"),
        ("差旅", "差旅费"),
        ("出差", "差旅费"),
        ("住宿", "差旅费"),
        ("交通", "差旅费"),
        ("招待", "交际"),
        ("宴请", "交际"),
        ("餐费", "交际"),
        ("应酬", "交际"),
        ("交际费", "交际"),
        ("礼品", "赠送"),
        ("赠品", "赠送"),
        ("送礼", "赠送"),
        ("样品", "赠送"),
        ("会议", "活动"),
        ("展会", "活动"),
        ("联谊", "活动"),
        ("推广", "活动"),
        ("宣传", "活动"),
        ("广告", "活动"),
        ("活动费", "活动")
    ],
    "其他"
);
enum_def!(
    SURVEY_METHOD,
    ["电话", "问卷", "上门", "网络"],
    [
        ("电访", "电话"),
        ("来电", "电话"),
        ("纸质", "问卷"),
        ("书面", "问卷"),
        ("拜访", "上门"),
        ("走访", "上门"),
        ("面访", "上门"),
        ("在线", "网络"),
        ("网上", "网络"),
        ("微信", "网络"),
        ("邮件", "网络")
    ],
    "其他"
);
enum_def!(
    YES_NO_UNSURE,
    ["是", "否", "不确定"],
    [
        ("会", "是"),
        ("愿意", "是"),
        ("有", "是"),
        ("y", "是"),
        ("yes", "是"),
        ("不会", "否"),
        ("不愿意", "否"),
        ("没有", "否"),
        ("n", "否"),
        ("no", "否"),
        ("不一定", "不确定"),
        ("看情况", "不确定"),
        ("说不准", "不确定"),
        ("可能", "不确定"),
        ("未定", "不确定")
    ],
    "不确定"
);
enum_def!(
    SERVICE_TYPE,
    ["安装", "维修", "保养", "咨询", "退换"],
    [
        ("调试", "安装"),
        ("修理", "维修"),
        ("报修", "维修"),
        ("故障", "维修"),
        ("维护", "保养"),
        ("巡检", "保养"),
        ("技术支持", "咨询"),
        ("退货", "退换"),
        ("换货", "退换")
    ],
    "其他"
);
enum_def!(
    CALL_DIRECTION,
    ["呼入", "呼出"],
    [
        ("来电", "呼入"),
        ("入", "呼入"),
        ("去电", "呼出"),
        ("外呼", "呼出"),
        ("出", "呼出")
    ],
    "其他"
);
enum_def!(
    CALL_TYPE,
    [
        "咨询",
        "投诉",
        "报修",
        "订货",
        "查询",
        "建议",
        "回访",
        "满意度调查",
        "营销",
        "催款",
        "通知"
    ],
    [
        ("下单", "订货"),
        ("订单", "订货"),
        ("维修", "报修"),
        ("故障", "报修"),
        ("推销", "营销"),
        ("催收", "催款"),
        ("追款", "催款"),
        ("调查", "满意度调查"),
        ("满意度", "满意度调查")
    ],
    "其他"
);
const CUST_ID_ALIASES: &str =
    "客户代码,客户编码,客户号,客户id,客户代号,顾客编号,档案编号,客户档案号";
const CUST_NAME_ALIASES: &str =
    "客户全称,客户,单位名称,公司名称,企业名称,顾客名称,户名,购货单位,客户姓名";
const STAFF_ALIASES: &str = "销售人员,销售员,经办人,业务代表,负责人,客户经理,业务";

pub static T01: &[FieldDef] = &[
    f(
        "customer_id",
        "客户编号",
        Ty::Id,
        false,
        "客户代码,客户编码,客户号,客户id,编号,客户代号,顾客编号,档案编号,客户档案号",
    ),
    f(
        "name",
        "客户名称",
        Ty::Text,
        false, // ● with 客户编号 as the alternative (model::load)
        "客户全称,客户,单位名称,公司名称,企业名称,顾客名称,名称,户名,购货单位,客户姓名",
    ),
    f("short_name", "客户简称", Ty::Text, false, "简称"),
    f(
        "customer_type",
        "客户类型",
        Ty::Enum(&CUSTOMER_TYPE),
        false,
        "类型,客户类别,客户性质",
    ),
    f(
        "industry",
        "所属行业",
        Ty::Text,
        false,
        "行业,业种,行业类别,业务种别,行业分类",
    ),
    f(
        "ownership",
        "企业性质",
        Ty::Enum(&OWNERSHIP),
        false,
        "经营组织,公司性质,企业类型",
    ),
    f(
        "region",
        "区域",
        Ty::Text,
        false,
        "地区,所属区域,销售区域,片区,市场区域,营业区域,大区",
    ),
    f("province", "省份", Ty::Text, false, "省,所在省"),
    f("city", "城市", Ty::Text, false, "市,所在城市"),
    f(
        "address",
        "地址",
        Ty::Text,
        false,
        "详细地址,通讯地址,公司地址,住址,经营地址",
    ),
    f(
        "contact_name",
        "联系人",
        Ty::Text,
        false,
        "联络人,对接人,接洽人,客户联系人",
    ),
    f("contact_title", "联系人职务", Ty::Text, false, "职务,职位"),
    f(
        "phone",
        "联系方式",
        Ty::Id,
        false,
        "联系电话,电话,手机,手机号,手机号码,座机,固定电话,电话号码",
    ),
    f(
        "email",
        "邮箱",
        Ty::Text,
        false,
        "电子邮箱,email,e-mail,邮件",
    ),
    f("im", "微信/qq", Ty::Id, false, "微信,微信号,qq,qq号"),
    f(
        "needs",
        "客户需求",
        Ty::Text,
        false,
        "需求,需求描述,核心需求",
    ),
    f(
        "first_contact_date",
        "首次接触时间",
        Ty::Date,
        false,
        "首次接触日期,首次联系时间,初次接触,建立联系时间",
    ),
    f(
        "status",
        "客户状态",
        Ty::Enum(&CUSTOMER_STATUS),
        false,
        "状态,客户阶段,阶段",
    ),
    f(
        "owner",
        "负责人",
        Ty::Text,
        false,
        "业务员,销售人员,销售员,销售,客户经理,跟进人,归属销售,经办人,业务代表",
    ),
    f(
        "head_name",
        "客户负责人",
        Ty::Text,
        false,
        "对方负责人,法人,法定代表人",
    ),
    f(
        "co_owner",
        "第二联系人",
        Ty::Text,
        false,
        "协同负责人,协助人,第二负责人,备份联系人",
    ),
    f(
        "last_followup_date",
        "最后跟进时间",
        Ty::Date,
        false,
        "最近跟进时间,最后联系时间,最近联系日期,上次跟进",
    ),
    f(
        "source",
        "客户来源",
        Ty::Enum(&SOURCE),
        false,
        "来源,获客渠道,信息来源",
    ),
    f("referrer", "介绍人", Ty::Text, false, "推荐人,转介绍人"),
    f("source_activity", "来源活动", Ty::Text, false, "活动名称"),
    f(
        "channel",
        "渠道类型",
        Ty::Enum(&CHANNEL),
        false,
        "渠道,销售渠道",
    ),
    f(
        "key_account",
        "大客户",
        Ty::Bool,
        false,
        "大客户标志,是否大客户,vip",
    ),
    f(
        "manual_grade",
        "客户等级",
        Ty::Enum(&GRADE),
        false,
        "等级,级别,客户级别,分级",
    ),
    f(
        "credit_grade",
        "信用等级",
        Ty::Enum(&CREDIT_GRADE),
        false,
        "资信等级,信用级别",
    ),
    f(
        "credit_limit",
        "赊销限额",
        Ty::Money,
        false,
        "信用额度,授信额度,赊销额度,信用限额",
    ),
    f(
        "credit_days",
        "信用期",
        Ty::Int,
        false,
        "账期,付款期,账期天数,信用期限",
    ),
    f(
        "payment_terms",
        "付款方式",
        Ty::Enum(&PAYMENT_TERMS),
        false,
        "结算方式,付款条件",
    ),
    f("guaranteed", "是否担保", Ty::Bool, false, "担保"),
    f(
        "opening_ar",
        "期初应收",
        Ty::Money,
        false,
        "期初余额,期初应收款,上期结欠,期初欠款",
    ),
    f(
        "opening_ar_date",
        "期初日期",
        Ty::Date,
        false,
        "期初余额日期",
    ),
    f(
        "created_date",
        "建档日期",
        Ty::Date,
        false,
        "登记日期,建档时间,创建日期",
    ),
    f("remark", "备注", Ty::Text, false, "说明"),
];

pub static T02: &[FieldDef] = &[
    f(
        "product_id",
        "产品编号",
        Ty::Id,
        true,
        "产品代码,物料编码,货号,商品编号,存货编码,产品id",
    ),
    f(
        "product_name",
        "产品名称",
        Ty::Text,
        true,
        "品名,商品名称,货品名称,存货名称,产品",
    ),
    f(
        "category",
        "产品种类",
        Ty::Text,
        false,
        "种类,品类,类别,产品类别,商品类别,大类",
    ),
    f("spec", "规格型号", Ty::Text, false, "规格,型号"),
    f("unit", "单位", Ty::Text, false, "计量单位"),
    f("std_price", "标准单价", Ty::Money, false, "单价,售价,定价"),
    f(
        "unit_cost",
        "边际成本",
        Ty::Money,
        false,
        "单位成本,成本价,变动成本,单位边际成本,进价",
    ),
];

pub static T03: &[FieldDef] = &[
    f(
        "staff_id",
        "工号",
        Ty::Id,
        false,
        "员工编号,职员代码,员工工号",
    ),
    f(
        "name",
        "姓名",
        Ty::Text,
        true,
        "业务员,员工姓名,销售人员,业务员姓名",
    ),
    f("group", "组别", Ty::Text, false, "小组,销售组,团队"),
    f("region", "负责区域", Ty::Text, false, "区域,所辖区域,辖区"),
    f("dept", "部门", Ty::Enum(&DEPT), false, "所属部门"),
    f("role", "岗位", Ty::Text, false, "职位"),
    f("status", "在职状态", Ty::Enum(&STAFF_STATUS), false, "状态"),
    f("join_date", "入职日期", Ty::Date, false, "入职时间"),
    f("leave_date", "离职日期", Ty::Date, false, "离职时间"),
];

pub static T04: &[FieldDef] = &[
    f("period", "期间", Ty::Period, true, "月份,年月,年度"),
    f("staff", "业务员", Ty::Text, false, "工号,姓名,销售人员"),
    f("group", "组别", Ty::Text, false, "小组"),
    f(
        "target_sales",
        "目标销售额",
        Ty::Money,
        true,
        "销售目标,目标额,任务额,销售任务",
    ),
    f(
        "std_monthly_sales",
        "月标准销售额",
        Ty::Money,
        false,
        "标准销售额",
    ),
    f(
        "target_collection",
        "收款目标",
        Ty::Money,
        false,
        "回款目标,收款任务",
    ),
];

pub static T05: &[FieldDef] = &[
    f(
        "order_no",
        "订单号",
        Ty::Id,
        false,
        "单号,订单编号,售货清单号,销货单号,出库单号,发货单号,单据编号",
    ),
    f(
        "order_date",
        "订货日期",
        Ty::Date,
        true,
        "订单日期,下单日期,开单日期,销售日期,单据日期,日期,销售时间,下单时间,订单时间,交易时间,交易日期,购买时间,购药时间",
    ),
    f(
        "ship_date",
        "发货日期",
        Ty::Date,
        false,
        "送货日期,出库日期,交货日期",
    ),
    f(
        "requested_date",
        "客户指定送货日期",
        Ty::Date,
        false,
        "要求交货日期,指定送货日期,约定交期,交期",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("staff", "业务员", Ty::Text, false, STAFF_ALIASES),
    f(
        "product_id",
        "产品编号",
        Ty::Id,
        false,
        "产品代码,物料编码,货号,商品编号,存货编码",
    ),
    f(
        "product_name",
        "产品名称",
        Ty::Text,
        false,
        "品名,商品名称,货品名称,存货名称,产品",
    ),
    f(
        "category",
        "产品种类",
        Ty::Text,
        false,
        "种类,品类,类别,产品类别,商品类别",
    ),
    f("qty", "数量", Ty::Qty, true, "销量,订货数量,销售数量,件数"),
    f("unit", "单位", Ty::Text, false, "计量单位"),
    f("unit_price", "单价", Ty::Money, false, "售价,销售单价,价格"),
    f(
        "amount",
        "金额",
        Ty::Money,
        true, // or 数量×单价 when blank (model::load)
        "销售金额,订货金额,销售额,货款,价税合计,含税金额,应收金额,实收金额",
    ),
    f("discount", "折扣额", Ty::Money, false, "折扣,折让,折扣金额"),
    f(
        "rebate",
        "优惠额",
        Ty::Money,
        false,
        "优惠,佣金,返利,优惠金额,销货优惠",
    ),
    f("unit_cost", "单位成本", Ty::Money, false, "成本价,边际成本"),
    f("cost", "成本", Ty::Money, false, "成本金额,销售成本"),
    f(
        "order_channel",
        "订货方式",
        Ty::Enum(&ORDER_CHANNEL),
        false,
        "接单方式,订单来源,下单方式",
    ),
    f("region", "区域", Ty::Text, false, "地区,销售区域"),
    f(
        "status",
        "状态",
        Ty::Enum(&LINE_STATUS),
        false,
        "单据状态,订单状态",
    ),
    f("contract_no", "合同号", Ty::Id, false, "合同编号"),
    f("contract_amount", "合同额", Ty::Money, false, "合同金额"),
];

pub static T06: &[FieldDef] = &[
    f(
        "return_no",
        "退货单号",
        Ty::Id,
        false,
        "退单号,红字单号,单号",
    ),
    f("return_date", "退货日期", Ty::Date, true, "日期,退货时间"),
    f(
        "orig_order_no",
        "原订单号",
        Ty::Id,
        false,
        "原单号,原销售单号,对应订单号,订单号",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("staff", "业务员", Ty::Text, false, STAFF_ALIASES),
    f(
        "product_id",
        "产品编号",
        Ty::Id,
        false,
        "产品代码,物料编码,货号,商品编号,存货编码",
    ),
    f(
        "product_name",
        "产品名称",
        Ty::Text,
        false,
        "品名,商品名称,货品名称,存货名称,产品",
    ),
    f("category", "产品种类", Ty::Text, false, "种类,品类,类别"),
    f("qty", "退货数量", Ty::Qty, true, "数量"),
    f("amount", "退货金额", Ty::Money, true, "金额"),
    f(
        "reason_cat",
        "退货原因类别",
        Ty::Enum(&RETURN_REASON),
        false,
        "原因分类,退货类别",
    ),
    f(
        "reason_text",
        "退货原因",
        Ty::Text,
        false,
        "原因,退货原因说明",
    ),
    f(
        "kind",
        "退/换",
        Ty::Enum(&RETURN_KIND),
        false,
        "类型,处理方式,退换",
    ),
];

pub static T07: &[FieldDef] = &[
    f(
        "receipt_no",
        "收款单号",
        Ty::Id,
        false,
        "收据号,凭证号,单号",
    ),
    f(
        "receipt_date",
        "收款日期",
        Ty::Date,
        true,
        "到账日期,回款日期,日期",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("staff", "业务员", Ty::Text, false, STAFF_ALIASES),
    f(
        "amount",
        "收款金额",
        Ty::Money,
        true,
        "金额,回款金额,实收金额,收款额",
    ),
    f(
        "method",
        "收款方式",
        Ty::Enum(&RECEIPT_METHOD),
        false,
        "结算方式,付款方式",
    ),
    f(
        "note_due_date",
        "票据到期日",
        Ty::Date,
        false,
        "到期日,汇票到期日",
    ),
    f(
        "note_status",
        "票据状态",
        Ty::Enum(&NOTE_STATUS),
        false,
        "票据情况",
    ),
    f(
        "applied_order_no",
        "对应订单号",
        Ty::Id,
        false,
        "核销单号,对应发货单号,订单号",
    ),
];

pub static T08: &[FieldDef] = &[
    f(
        "contact_time",
        "接触时间",
        Ty::DateTime,
        true,
        "拜访日期,联系时间,跟进时间,互动时间,日期,拜访时间,跟进日期,联系日期",
    ),
    f(
        "entry_time",
        "录入时间",
        Ty::DateTime,
        false,
        "登记时间,填表时间,创建时间",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f(
        "staff",
        "我方人员",
        Ty::Text,
        true,
        "拜访人,跟进人,业务员,销售人员,销售员",
    ),
    f(
        "method",
        "方式",
        Ty::Enum(&CONTACT_METHOD),
        false,
        "跟进方式,联络方式,互动方式",
    ),
    f(
        "counterpart",
        "对方联系人",
        Ty::Text,
        false,
        "受访人,接待者,联系人",
    ),
    f("counterpart_title", "职务", Ty::Text, false, "对方职务"),
    f(
        "decision_maker",
        "是否决策人",
        Ty::Bool,
        false,
        "有无决策权",
    ),
    f("purpose", "目的", Ty::Text, false, "拜访目的"),
    f(
        "content",
        "内容",
        Ty::Text,
        false,
        "沟通内容,跟进内容,拜访内容,记录",
    ),
    f(
        "feedback",
        "客户反馈",
        Ty::Text,
        false,
        "客户意见,要求和建议,客户需求",
    ),
    f("result", "结果", Ty::Text, false, "跟进结果"),
    f("commitment", "承诺事项", Ty::Text, false, "承诺"),
    f(
        "next_date",
        "下次跟进日期",
        Ty::Date,
        false,
        "下次联系时间,计划回访日期",
    ),
    f("expense", "费用", Ty::Money, false, "拜访费用"),
    f("credit_alert", "信用异动", Ty::Bool, false, "信用变化"),
    f("credit_alert_note", "异动原因", Ty::Text, false, ""),
    // 联系方式 holding method words (电话/拜访/微信 …) means 方式 (§3.0.8); resolved in table.rs.
    f("phone", "联系方式", Ty::Id, false, "联系电话,电话"),
];

pub static T09: &[FieldDef] = &[
    f("complaint_no", "投诉编号", Ty::Id, true, "编号,投诉单号"),
    f(
        "received_at",
        "受理时间",
        Ty::DateTime,
        true,
        "投诉时间,投诉日期,登记时间,受理日期",
    ),
    f(
        "channel",
        "投诉渠道",
        Ty::Enum(&COMPLAINT_CHANNEL),
        false,
        "渠道,来源",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("product", "产品", Ty::Text, false, "产品名称"),
    f("batch", "批号", Ty::Text, false, "批次"),
    f(
        "complaint_type",
        "投诉类型",
        Ty::Enum(&COMPLAINT_TYPE),
        false,
        "类别,投诉类别,问题类型",
    ),
    f("content", "投诉内容", Ty::Text, false, "内容,问题描述"),
    f("demand", "客户要求", Ty::Text, false, "诉求"),
    f(
        "severity",
        "紧急程度",
        Ty::Enum(&COMPLAINT_SEVERITY),
        false,
        "级别,严重程度",
    ),
    f("receiver", "受理人", Ty::Text, false, ""),
    f("handler", "处理人", Ty::Text, false, "经办人,负责人"),
    f("dept", "责任部门", Ty::Text, false, ""),
    f(
        "response_at",
        "初步方案反馈时间",
        Ty::DateTime,
        false,
        "反馈时间,首次回复时间,响应时间,方案反馈时间",
    ),
    f(
        "closed_at",
        "结案时间",
        Ty::DateTime,
        false,
        "完成时间,关闭时间,处理完成时间",
    ),
    f(
        "resolution",
        "处理措施",
        Ty::Enum(&RESOLUTION),
        false,
        "处理方式,处理结果",
    ),
    f("compensation", "赔偿金额", Ty::Money, false, "赔偿"),
    f("claim_amount", "索赔金额", Ty::Money, false, "索赔"),
    f("claim_approved", "核定金额", Ty::Money, false, ""),
    f(
        "satisfaction",
        "客户满意度",
        Ty::Score5,
        false,
        "满意度,回访结果",
    ),
    f(
        "status",
        "状态",
        Ty::Enum(&COMPLAINT_STATUS),
        false,
        "处理状态",
    ),
    f("dispute", "纠纷/诉讼", Ty::Bool, false, "是否诉讼,纠纷"),
];

pub static T10: &[FieldDef] = &[
    f("survey_date", "调查日期", Ty::Date, true, "日期,调查时间"),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        "客户全称,客户,单位名称,公司名称,企业名称,顾客名称,户名,客户姓名",
    ),
    f("surveyor", "调查人", Ty::Text, true, "调查员"),
    f(
        "founded_date",
        "创业日期",
        Ty::Date,
        false,
        "成立日期,创立日期",
    ),
    f(
        "first_trade_date",
        "开始交易日期",
        Ty::Date,
        false,
        "开始往来日期,首次交易日期",
    ),
    f("legal_form", "经营方式", Ty::Enum(&LEGAL_FORM), false, ""),
    f("location_type", "经营地点", Ty::Text, false, ""),
    f("bank", "往来银行", Ty::Text, false, "开户银行"),
    f("bank_credit", "银行信用", Ty::Enum(&RATING5), false, ""),
    f(
        "bookkeeping",
        "账务体系",
        Ty::Enum(&BOOKKEEPING),
        false,
        "财务制度",
    ),
    f(
        "peer_rating",
        "同业者评价",
        Ty::Enum(&RATING5),
        false,
        "同业评价",
    ),
    f(
        "neighbour_rating",
        "近邻评价",
        Ty::Enum(&RATING5),
        false,
        "",
    ),
    f(
        "org_type",
        "经营组织",
        Ty::Enum(&ORG_TYPE),
        false,
        "企业性质",
    ),
    f("capital", "资本额", Ty::Money, false, "注册资本,资本金"),
    f(
        "pay_attitude",
        "付款态度",
        Ty::Enum(&PAY_ATTITUDE),
        false,
        "",
    ),
    f(
        "license_no",
        "营业执照登记号码",
        Ty::Id,
        false,
        "统一社会信用代码,营业执照号",
    ),
    f("cars_owned", "汽车自有", Ty::Int, false, "自有车辆"),
    f("cars_leased", "汽车租用", Ty::Int, false, "租用车辆"),
    f(
        "premises_area",
        "场所",
        Ty::Enum(&PREMISES_AREA),
        false,
        "所处地段",
    ),
    f(
        "premises_tenure",
        "场所产权",
        Ty::Enum(&TENURE),
        false,
        "产权",
    ),
    f("premises_m2", "面积", Ty::Qty, false, ""),
    f("decoration", "装饰", Ty::Text, false, ""),
    f("insured", "保险", Ty::Bool, false, ""),
    f("insured_amount", "保险金额", Ty::Money, false, ""),
    f(
        "business_trend",
        "业务",
        Ty::Enum(&TREND),
        false,
        "业务状况,经营趋势,业务趋势",
    ),
    f("peak_from", "旺季起月", Ty::Int, false, "旺季/起月"),
    f("peak_to", "旺季止月", Ty::Int, false, "旺季/止月"),
    f(
        "peak_monthly_amt",
        "旺季每月金额",
        Ty::Money,
        false,
        "旺季/每月金额",
    ),
    f(
        "off_monthly_amt",
        "淡季每月金额",
        Ty::Money,
        false,
        "淡季/每月金额",
    ),
    f("credit_score", "信用评分", Ty::Int, false, "评分"),
    f(
        "credit_grade",
        "信用等级",
        Ty::Enum(&CREDIT_GRADE),
        false,
        "资信等级",
    ),
    f(
        "payment_terms",
        "付款方式选择",
        Ty::Enum(&PAYMENT_TERMS),
        false,
        "付款方式",
    ),
    f("credit_limit", "赊销限额", Ty::Money, false, "信用额度"),
    f("guaranteed", "是否担保", Ty::Bool, false, "担保"),
    f("note", "备注", Ty::Text, false, "其他说明"),
];

/// T11 费用 `expenses`: PROPOSED. DOMAIN §3.1 has no table for it; the fields come from its uses
/// (M29–M30, M43–M45, M54, M56) and the seeds' 年度业务绩效及费用考核表 and 销售管理费用分解表.
/// The categories are S4 第7条's (开发费用: 薪水 津贴 机车保险 油料 差旅费; 其他费用: 交际 赠送,
/// + 活动 其他 PROPOSED, §6); M29 maps 招待 → 交际 and 礼品 → 赠送.
pub static T11: &[FieldDef] = &[
    f(
        "expense_date",
        "费用日期",
        Ty::Date,
        true,
        "日期,报销日期,发生日期,费用发生日期",
    ),
    f(
        "staff",
        "业务员",
        Ty::Text,
        false,
        "报销人,经办人,我方人员,销售人员,销售员,人员,姓名",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f(
        "category",
        "费用类别",
        Ty::Enum(&EXPENSE_CATEGORY),
        false,
        "费用类型,费用项目,类别,科目,费用科目",
    ),
    f(
        "amount",
        "金额",
        Ty::Money,
        true,
        "费用金额,报销金额,费用,发生额",
    ),
    f("note", "说明", Ty::Text, false, "摘要,用途,事由,备注"),
];

/// T12 满意度调查 (one row per returned 客户满意度调查表).
pub static T12: &[FieldDef] = &[
    f("survey_date", "调查日期", Ty::Date, true, "日期,调查时间"),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f(
        "method",
        "调查方式",
        Ty::Enum(&SURVEY_METHOD),
        false,
        "方式",
    ),
    f(
        "q_quality",
        "产品质量",
        Ty::Survey5,
        false,
        "产品质量评分,产品质量得分,质量评分,质量得分",
    ),
    f("q_price", "价格", Ty::Survey5, false, "价格评分,价格得分"),
    f(
        "q_delivery",
        "交货及时性",
        Ty::Survey5,
        false,
        "交货及时性评分,交货及时性得分,交货评分,交货得分",
    ),
    f(
        "q_attitude",
        "服务态度",
        Ty::Survey5,
        false,
        "服务态度评分,服务态度得分",
    ),
    f(
        "q_response",
        "响应速度",
        Ty::Survey5,
        false,
        "响应速度评分,响应速度得分",
    ),
    f(
        "q_complaint",
        "投诉处理",
        Ty::Survey5,
        false,
        "投诉处理评分,投诉处理得分",
    ),
    f(
        "q_aftersales",
        "售后服务",
        Ty::Survey5,
        false,
        "售后服务评分,售后服务得分",
    ),
    f(
        "overall",
        "总体满意度",
        Ty::Survey5,
        false,
        "满意度,综合满意度,总体评价,总体满意度评分",
    ),
    f("price_sensitivity", "价格敏感度", Ty::Survey5, false, ""),
    f("tolerance", "质量事故宽容度", Ty::Survey5, false, "宽容度"),
    f(
        "rebuy",
        "再次购买意愿",
        Ty::Enum(&YES_NO_UNSURE),
        false,
        "复购意愿",
    ),
    f(
        "recommend",
        "推荐意愿",
        Ty::Enum(&YES_NO_UNSURE),
        false,
        "推荐",
    ),
    f("comments", "意见建议", Ty::Text, false, "意见,建议"),
];

/// T13 活动参与.
pub static T13: &[FieldDef] = &[
    f("activity", "活动名称", Ty::Text, true, "活动"),
    f("activity_date", "活动日期", Ty::Date, true, "日期,活动时间"),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("invited", "是否邀请", Ty::Bool, false, "邀请,已邀请"),
    // 报名/参加/出席 mean 是 (§3.1); read by the model, not as a plain 是/否.
    f(
        "responded",
        "是否响应",
        Ty::Text,
        true,
        "响应,参加,出席,是否参加,是否出席,报名",
    ),
];

/// T14 售后服务.
pub static T14: &[FieldDef] = &[
    f(
        "service_no",
        "服务单号",
        Ty::Id,
        true,
        "登记编号,维修单号,服务编号",
    ),
    f(
        "registered_at",
        "登记日期",
        Ty::DateTime,
        true,
        "受理时间,报修时间,登记时间,报修日期",
    ),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("product", "产品", Ty::Text, false, "产品名称"),
    f("model", "型号", Ty::Text, false, "序列号,规格型号"),
    f(
        "service_type",
        "服务类型",
        Ty::Enum(&SERVICE_TYPE),
        false,
        "类型,服务类别",
    ),
    f("issue", "问题描述", Ty::Text, false, "故障现象"),
    f("staff", "服务人员", Ty::Text, false, "维修人,工程师"),
    f("completed_at", "完成日期", Ty::DateTime, false, "完成时间"),
    f(
        "in_warranty",
        "是否保修期内",
        Ty::Bool,
        false,
        "保修,是否保修",
    ),
    f("fee", "费用", Ty::Money, false, "维修费用,收费"),
    f("satisfaction", "满意度", Ty::Score5, false, "客户评价"),
];

/// T15 呼叫记录.
pub static T15: &[FieldDef] = &[
    f(
        "call_time",
        "日期时间",
        Ty::DateTime,
        true,
        "时间,来电时间,呼叫时间,通话时间",
    ),
    f(
        "direction",
        "呼入/呼出",
        Ty::Enum(&CALL_DIRECTION),
        true,
        "类型,方向",
    ),
    f("number", "号码", Ty::Id, false, "来电号码,电话,主叫号码"),
    f("customer_id", "客户编号", Ty::Id, false, CUST_ID_ALIASES),
    f(
        "customer_name",
        "客户名称",
        Ty::Text,
        false,
        CUST_NAME_ALIASES,
    ),
    f("agent", "座席员", Ty::Text, true, "坐席,座席,客服,坐席员"),
    f("call_type", "业务类型", Ty::Enum(&CALL_TYPE), false, "类别"),
    f("connected", "是否接通", Ty::Bool, false, "接通"),
    f(
        "duration_s",
        "通话时长(秒)",
        Ty::Seconds,
        false,
        "通话时长,时长",
    ),
    f("qa_score", "质检得分", Ty::Int, false, "质检分,评分"),
];

/// Columns a sheet must have for its rows to be usable: each group needs one of its fields.
/// A sheet missing a group cannot give a single valid row, so it is reported once, not per row.
pub fn required_groups(t: TableId) -> &'static [&'static [&'static str]] {
    const CUST: &[&str] = &["customer_id", "customer_name"];
    match t {
        TableId::Customers => &[&["customer_id", "name"]],
        TableId::Products => &[&["product_id"], &["product_name"]],
        TableId::Salespeople => &[&["name"]],
        TableId::Targets => &[&["period"], &["target_sales"], &["staff", "group"]],
        TableId::Sales => &[&["order_date"], &["qty"], CUST, &["amount", "unit_price"]],
        TableId::Returns => &[&["return_date"], &["qty"], &["amount"], CUST],
        TableId::Receipts => &[&["receipt_date"], &["amount"], CUST],
        TableId::Interactions => &[&["contact_time"], &["staff"], CUST],
        TableId::Complaints => &[&["complaint_no"], &["received_at"], CUST],
        TableId::CreditSurveys => &[&["survey_date"], &["surveyor"], CUST],
        TableId::Expenses => &[&["expense_date"], &["amount"]],
        TableId::Satisfaction => &[&["survey_date"], CUST],
        TableId::Activities => &[&["activity"], &["activity_date"], &["responded"], CUST],
        TableId::AfterSales => &[&["service_no"], &["registered_at"], CUST],
        TableId::Calls => &[&["call_time"], &["direction"], &["agent"]],
    }
}

pub fn fields(t: TableId) -> &'static [FieldDef] {
    match t {
        TableId::Customers => T01,
        TableId::Products => T02,
        TableId::Salespeople => T03,
        TableId::Targets => T04,
        TableId::Sales => T05,
        TableId::Returns => T06,
        TableId::Receipts => T07,
        TableId::Interactions => T08,
        TableId::Complaints => T09,
        TableId::CreditSurveys => T10,
        TableId::Expenses => T11,
        TableId::Satisfaction => T12,
        TableId::Activities => T13,
        TableId::AfterSales => T14,
        TableId::Calls => T15,
    }
}

/// Alias index of one table: exact lookup, and every alias ordered longest first for the
/// "longest alias contained in the header" rule (ties: the field listed first wins).
pub struct AliasIndex {
    /// normalised name → (field, is the field's canonical header)
    exact: HashMap<String, (usize, bool)>,
    by_len: Vec<(String, usize)>,
}

impl AliasIndex {
    fn build(fields: &'static [FieldDef]) -> AliasIndex {
        let mut exact = HashMap::new();
        let mut by_len = Vec::new();
        for (i, fd) in fields.iter().enumerate() {
            let names = std::iter::once((fd.header, true))
                .chain(fd.aliases.split(',').map(|a| (a.trim(), false)))
                .filter(|(a, _)| !a.is_empty());
            for (a, canonical) in names {
                let k = normalise_header(a).key;
                if k.is_empty() {
                    continue;
                }
                exact.entry(k.clone()).or_insert((i, canonical));
                by_len.push((k, i));
            }
        }
        // Longest first; among equal lengths, the field listed first (stable sort keeps order).
        by_len.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.1.cmp(&b.1))
        });
        AliasIndex { exact, by_len }
    }

    /// Field index for a normalised header, and whether it was an exact match.
    pub fn lookup(&self, key: &str) -> Option<(usize, bool)> {
        self.lookup_q(key).map(|(i, q)| (i, q >= 1))
    }

    /// Field index and match quality: 3 canonical header, 2 alias, 1 the child of a two-row
    /// header alone, 0 an alias contained in the header.
    pub fn lookup_q(&self, key: &str) -> Option<(usize, u8)> {
        if key.is_empty() {
            return None;
        }
        let q = |(i, canonical): (usize, bool)| (i, if canonical { 3 } else { 2 });
        if let Some(&hit) = self.exact.get(key) {
            return Some(q(hit));
        }
        // "parent/child" of a two-row header: try the joined form without the slash.
        if key.contains('/') {
            let joined: String = key.chars().filter(|c| *c != '/').collect();
            if let Some(&hit) = self.exact.get(&joined) {
                return Some(q(hit));
            }
            if let Some(child) = key.rsplit('/').next() {
                if let Some(&(i, _)) = self.exact.get(child) {
                    return Some((i, 1));
                }
            }
        }
        // Contained aliases of a single character would match far too much (市, 省).
        self.by_len
            .iter()
            .filter(|(a, _)| a.chars().count() >= 2)
            .find(|(a, _)| key.contains(a.as_str()))
            .map(|(_, i)| (*i, 0))
    }
}

pub fn alias_index(t: TableId) -> &'static AliasIndex {
    static IDX: OnceLock<Vec<AliasIndex>> = OnceLock::new();
    let all = IDX.get_or_init(|| ALL.iter().map(|t| AliasIndex::build(fields(*t))).collect());
    &all[ALL.iter().position(|x| *x == t).unwrap_or(0)]
}

/// FNV-1a: field keys are short ASCII.
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Position of a field in `fields(t)` by its key. Each table's keys are kept sorted by hash: a
/// search compares integers, and one string comparison confirms the hit (a scan compared ~20
/// strings per call). Typing asks this once per field and table (`model::row::FieldMemo`
/// answers the rows' lookups).
pub fn field_index(t: TableId, key: &str) -> Option<usize> {
    type Sorted = Vec<Vec<(u64, &'static str, usize)>>;
    static IDX: OnceLock<Sorted> = OnceLock::new();
    let all = IDX.get_or_init(|| {
        ALL.iter()
            .map(|t| {
                let mut v: Vec<(u64, &'static str, usize)> = fields(*t)
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (key_hash(f.key), f.key, i))
                    .collect();
                // Equal hashes keep field order, so the first field with a key wins, as in a scan.
                v.sort_by_key(|(h, _, i)| (*h, *i));
                v
            })
            .collect()
    });
    let Some(keys) = ALL.iter().position(|x| *x == t).and_then(|i| all.get(i)) else {
        return fields(t).iter().position(|f| f.key == key);
    };
    let h = key_hash(key);
    let from = keys.partition_point(|(kh, _, _)| *kh < h);
    keys[from..]
        .iter()
        .take_while(|(kh, _, _)| *kh == h)
        .find(|(_, k, _)| *k == key)
        .map(|(_, _, i)| *i)
}

/// Which table a sheet name points to (§3.0.1): all keywords, longest first. `None` when no
/// keyword matches or two tables tie at the longest match.
pub fn table_by_sheet_name(name: &str) -> Option<TableId> {
    let n = normalise_header(name).key;
    let mut best: Option<(usize, TableId)> = None;
    let mut tie = false;
    for (kw, t) in SHEET_KEYWORDS {
        if n.contains(kw) {
            let l = kw.chars().count();
            match best {
                None => best = Some((l, *t)),
                Some((bl, bt)) if l > bl => {
                    best = Some((l, *t));
                    tie = false;
                    let _ = bt;
                }
                Some((bl, bt)) if l == bl && bt != *t => tie = true,
                _ => {}
            }
        }
    }
    if tie {
        None
    } else {
        best.map(|(_, t)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `field_index` answers by a key's contents: a literal, a copy of it, a string that later
    /// lives at the same address with other contents, the same string asked of another table.
    #[test]
    fn field_index_follows_contents_not_addresses() {
        for t in ALL.iter() {
            for (i, f) in fields(*t).iter().enumerate() {
                let first = fields(*t).iter().position(|g| g.key == f.key);
                assert_eq!(field_index(*t, f.key), first);
                assert!(first.is_some_and(|p| p <= i));
                let owned = f.key.to_string();
                assert_eq!(field_index(*t, &owned), first);
            }
        }
        // One buffer, rewritten in place between lookups (same address, same length).
        let mut buf = String::from("qty");
        assert_eq!(
            field_index(TableId::Sales, &buf),
            field_index(TableId::Sales, "qty")
        );
        assert!(field_index(TableId::Sales, &buf).is_some());
        buf.replace_range(.., "xyz");
        assert_eq!(field_index(TableId::Sales, &buf), None);
        buf.replace_range(.., "qty");
        // Same address, another table: that table's own answer.
        assert_eq!(
            field_index(TableId::Returns, &buf),
            fields(TableId::Returns).iter().position(|f| f.key == "qty")
        );
        assert_eq!(
            field_index(TableId::Customers, &buf),
            fields(TableId::Customers)
                .iter()
                .position(|f| f.key == "qty")
        );
    }

    #[test]
    fn field_index_finds_every_key_like_a_scan() {
        for t in ALL.iter() {
            for (i, f) in fields(*t).iter().enumerate() {
                let first = fields(*t).iter().position(|g| g.key == f.key);
                assert_eq!(field_index(*t, f.key), first, "{t:?} {}", f.key);
                assert!(first.is_some_and(|p| p <= i));
            }
            assert_eq!(field_index(*t, "no_such_field"), None);
        }
    }

    #[test]
    fn sheet_names_longest_keyword_first() {
        assert_eq!(table_by_sheet_name("销售人员"), Some(TableId::Salespeople));
        assert_eq!(table_by_sheet_name("2024年销售明细"), Some(TableId::Sales));
        assert_eq!(
            table_by_sheet_name("客户满意度"),
            Some(TableId::Satisfaction)
        );
        assert_eq!(table_by_sheet_name("客户资料"), Some(TableId::Customers));
        assert_eq!(table_by_sheet_name("退货"), Some(TableId::Returns));
        assert_eq!(table_by_sheet_name("Sheet1"), None);
        // 销售 and 收款 are both two characters: a tie, decided by headers instead.
        assert_eq!(table_by_sheet_name("销售收款"), None);
    }

    #[test]
    fn alias_lookup_exact_then_longest_contained() {
        let ix = alias_index(TableId::Sales);
        let key = |s: &str| normalise_header(s).key;
        let fk = |s: &str| ix.lookup(&key(s)).map(|(i, _)| T05[i].key);
        assert_eq!(fk("订单号"), Some("order_no"));
        assert_eq!(fk("下单日期"), Some("order_date"));
        assert_eq!(fk("发货日期"), Some("ship_date"));
        assert_eq!(fk("客戶編號"), Some("customer_id"));
        assert_eq!(fk("金额(万元)"), Some("amount"));
        assert_eq!(fk("本次销售金额"), Some("amount"));
        assert_eq!(fk("天气"), None);
        let t01 = alias_index(TableId::Customers);
        assert_eq!(t01.lookup("负责人").map(|(i, _)| T01[i].key), Some("owner"));
        assert_eq!(
            t01.lookup("客户负责人").map(|(i, _)| T01[i].key),
            Some("head_name")
        );
        assert_eq!(
            t01.lookup("联系方式").map(|(i, _)| T01[i].key),
            Some("phone")
        );
        let t10 = alias_index(TableId::CreditSurveys);
        assert_eq!(
            t10.lookup("旺季/每月金额").map(|(i, _)| T10[i].key),
            Some("peak_monthly_amt")
        );
    }

    /// T11–T15 headers as clerks write them (DOMAIN §3.1 aliases).
    #[test]
    fn optional_table_aliases() {
        let key = |s: &str| normalise_header(s).key;
        let fk = |t: TableId, s: &str| {
            alias_index(t)
                .lookup(&key(s))
                .map(|(i, _)| fields(t)[i].key)
        };
        assert_eq!(fk(TableId::Calls, "通话时长(秒)"), Some("duration_s"));
        assert_eq!(fk(TableId::Calls, "时长"), Some("duration_s"));
        assert_eq!(fk(TableId::Calls, "来电时间"), Some("call_time"));
        assert_eq!(fk(TableId::Calls, "坐席"), Some("agent"));
        assert_eq!(fk(TableId::Satisfaction, "价格"), Some("q_price"));
        assert_eq!(
            fk(TableId::Satisfaction, "价格敏感度"),
            Some("price_sensitivity")
        );
        assert_eq!(
            fk(TableId::Satisfaction, "服务态度得分"),
            Some("q_attitude")
        );
        assert_eq!(fk(TableId::Satisfaction, "客户满意度"), Some("overall"));
        assert_eq!(fk(TableId::Satisfaction, "宽容度"), Some("tolerance"));
        assert_eq!(fk(TableId::Activities, "出席"), Some("responded"));
        assert_eq!(fk(TableId::AfterSales, "维修单号"), Some("service_no"));
        assert_eq!(fk(TableId::AfterSales, "故障现象"), Some("issue"));
        assert_eq!(fk(TableId::Expenses, "报销金额"), Some("amount"));
        assert_eq!(fk(TableId::Expenses, "费用类别"), Some("category"));
        assert_eq!(fk(TableId::Expenses, "报销人"), Some("staff"));
        assert_eq!(
            table_by_sheet_name("2024年费用报销"),
            Some(TableId::Expenses)
        );
        assert_eq!(table_by_sheet_name("来电记录"), Some(TableId::Calls));
        assert!(ALL.iter().all(|t| t.is_loaded()));
    }

    #[test]
    fn every_table_parses_by_key_and_name() {
        for t in ALL {
            assert_eq!(TableId::parse(t.key()), Some(t));
            assert_eq!(TableId::parse(t.zh()), Some(t));
        }
        assert_eq!(TableId::parse("sales"), Some(TableId::Sales));
    }
}
