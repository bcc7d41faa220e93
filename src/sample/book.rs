//! The workbook: one constant-memory worksheet per canonical table (DOMAIN §3.1), headers exactly
//! as printed in the 中文表头 column, and typed cells (real Excel dates, money as numbers with
//! `#,##0.00`, ids and phones as text). Rows go straight to each sheet's temp file, in order.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::path::Path;

/// One cell of a generated row.
pub enum Cell<'a> {
    Text(&'a str),
    Own(String),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Money(Decimal),
    /// A quantity or count: a plain number.
    Num(Decimal),
    Int(i64),
    Blank,
}

pub use Cell::*;

impl<'a> Cell<'a> {
    pub fn opt_text(s: Option<&'a str>) -> Cell<'a> {
        s.map_or(Blank, Text)
    }
    pub fn opt_date(d: Option<NaiveDate>) -> Cell<'a> {
        d.map_or(Blank, Date)
    }
    pub fn opt_dt(d: Option<NaiveDateTime>) -> Cell<'a> {
        d.map_or(Blank, DateTime)
    }
    /// Money left blank when zero (clerks leave 折扣 / 优惠 empty rather than typing 0).
    pub fn money_or_blank(m: Decimal) -> Cell<'a> {
        if m.is_zero() {
            Blank
        } else {
            Money(m)
        }
    }
}

/// The sheets, in workbook order, with their canonical headers and column widths.
pub struct SheetSpec {
    pub name: &'static str,
    pub headers: &'static [(&'static str, f64)],
}

pub const T01: usize = 0;
pub const T02: usize = 1;
pub const T03: usize = 2;
pub const T04: usize = 3;
pub const T05: usize = 4;
pub const T06: usize = 5;
pub const T07: usize = 6;
pub const T08: usize = 7;
pub const T09: usize = 8;
pub const T10: usize = 9;
pub const T11: usize = 10;
pub const T12: usize = 11;
pub const T13: usize = 12;
pub const T14: usize = 13;
pub const T15: usize = 14;

pub const SHEETS: &[SheetSpec] = &[
    SheetSpec {
        name: "客户信息表",
        headers: &[
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("客户简称", 14.0),
            ("客户类型", 9.0),
            ("所属行业", 9.0),
            ("企业性质", 12.0),
            ("区域", 6.0),
            ("省份", 12.0),
            ("城市", 10.0),
            ("地址", 32.0),
            ("联系人", 8.0),
            ("联系人职务", 11.0),
            ("联系方式", 13.0),
            ("邮箱", 26.0),
            ("微信/QQ", 12.0),
            ("客户需求", 26.0),
            ("首次接触时间", 12.0),
            ("客户状态", 9.0),
            ("负责人", 8.0),
            ("第二联系人", 9.0),
            ("最后跟进时间", 12.0),
            ("客户来源", 9.0),
            ("介绍人", 13.0),
            ("来源活动", 18.0),
            ("渠道类型", 9.0),
            ("大客户", 7.0),
            ("客户等级", 8.0),
            ("信用等级", 8.0),
            ("赊销限额", 13.0),
            ("信用期(天)", 9.0),
            ("付款方式", 10.0),
            ("是否担保", 8.0),
            ("期初应收", 14.0),
            ("期初日期", 11.0),
            ("建档日期", 11.0),
            ("备注", 20.0),
        ],
    },
    SheetSpec {
        name: "产品",
        headers: &[
            ("产品编号", 9.0),
            ("产品名称", 16.0),
            ("产品种类", 9.0),
            ("规格型号", 22.0),
            ("单位", 6.0),
            ("标准单价", 12.0),
            ("边际成本", 12.0),
        ],
    },
    SheetSpec {
        name: "业务员",
        headers: &[
            ("工号", 7.0),
            ("姓名", 8.0),
            ("组别", 6.0),
            ("负责区域", 9.0),
            ("部门", 8.0),
            ("岗位", 13.0),
            ("在职状态", 9.0),
            ("入职日期", 11.0),
            ("离职日期", 11.0),
        ],
    },
    SheetSpec {
        name: "销售目标",
        headers: &[
            ("期间", 9.0),
            ("工号", 7.0),
            ("目标销售额", 14.0),
            ("月标准销售额", 14.0),
            ("收款目标", 14.0),
        ],
    },
    SheetSpec {
        name: "销售明细",
        headers: &[
            ("订单号", 14.0),
            ("订货日期", 11.0),
            ("发货日期", 11.0),
            ("客户指定送货日期", 11.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("业务员", 8.0),
            ("产品编号", 9.0),
            ("产品名称", 16.0),
            ("产品种类", 9.0),
            ("数量", 8.0),
            ("单位", 6.0),
            ("单价", 11.0),
            ("金额", 14.0),
            ("折扣额", 11.0),
            ("优惠额", 11.0),
            ("订货方式", 9.0),
            ("状态", 6.0),
        ],
    },
    SheetSpec {
        name: "退货记录",
        headers: &[
            ("退货单号", 14.0),
            ("退货日期", 11.0),
            ("原订单号", 14.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("业务员", 8.0),
            ("产品编号", 9.0),
            ("产品名称", 16.0),
            ("产品种类", 9.0),
            ("退货数量", 9.0),
            ("退货金额", 13.0),
            ("退货原因类别", 9.0),
            ("退货原因", 18.0),
            ("退/换", 7.0),
        ],
    },
    SheetSpec {
        name: "收款记录",
        headers: &[
            ("收款单号", 14.0),
            ("收款日期", 11.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("业务员", 8.0),
            ("收款金额", 14.0),
            ("收款方式", 12.0),
            ("票据到期日", 11.0),
            ("票据状态", 9.0),
            ("对应订单号", 14.0),
        ],
    },
    SheetSpec {
        name: "客户互动记录",
        headers: &[
            ("接触时间", 16.0),
            ("录入时间", 16.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("我方人员", 8.0),
            ("方式", 9.0),
            ("对方联系人", 9.0),
            ("职务", 10.0),
            ("是否决策人", 9.0),
            ("目的", 12.0),
            ("内容", 22.0),
            ("客户反馈", 18.0),
            ("结果", 13.0),
            ("承诺事项", 16.0),
            ("下次跟进日期", 11.0),
            ("费用", 10.0),
            ("信用异动", 8.0),
            ("异动原因", 24.0),
        ],
    },
    SheetSpec {
        name: "投诉记录",
        headers: &[
            ("投诉编号", 14.0),
            ("受理时间", 16.0),
            ("投诉渠道", 8.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("产品", 16.0),
            ("批号", 11.0),
            ("投诉类型", 8.0),
            ("投诉内容", 24.0),
            ("客户要求", 10.0),
            ("紧急程度", 8.0),
            ("受理人", 8.0),
            ("处理人", 8.0),
            ("责任部门", 10.0),
            ("初步方案反馈时间", 16.0),
            ("结案时间", 16.0),
            ("处理措施", 8.0),
            ("赔偿金额", 11.0),
            ("索赔金额", 11.0),
            ("核定金额", 11.0),
            ("客户满意度", 9.0),
            ("状态", 8.0),
            ("纠纷/诉讼", 9.0),
        ],
    },
    SheetSpec {
        name: "信用调查",
        headers: &[
            ("调查日期", 11.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("调查人", 8.0),
            ("创业日期", 11.0),
            ("开始交易日期", 11.0),
            ("经营方式", 8.0),
            ("经营地点", 8.0),
            ("往来银行", 16.0),
            ("银行信用", 8.0),
            ("账务体系", 8.0),
            ("同业者评价", 9.0),
            ("近邻评价", 8.0),
            ("经营组织", 9.0),
            ("资本额(元)", 14.0),
            ("付款态度", 8.0),
            ("营业执照登记号码", 20.0),
            ("汽车自有", 8.0),
            ("汽车租用", 8.0),
            ("场所", 10.0),
            ("场所产权", 8.0),
            ("面积(m²)", 9.0),
            ("装饰", 6.0),
            ("保险", 6.0),
            ("保险金额", 13.0),
            ("业务", 6.0),
            ("旺季起月", 8.0),
            ("旺季止月", 8.0),
            ("旺季每月金额", 13.0),
            ("淡季每月金额", 13.0),
            ("备注", 16.0),
        ],
    },
    SheetSpec {
        name: "费用",
        headers: &[
            ("费用日期", 11.0),
            ("业务员", 8.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("费用类别", 9.0),
            ("金额", 12.0),
            ("说明", 22.0),
        ],
    },
    SheetSpec {
        name: "满意度调查",
        headers: &[
            ("调查日期", 11.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("调查方式", 8.0),
            ("产品质量", 8.0),
            ("价格", 6.0),
            ("交货及时性", 9.0),
            ("服务态度", 8.0),
            ("响应速度", 8.0),
            ("投诉处理", 8.0),
            ("售后服务", 8.0),
            ("总体满意度", 9.0),
            ("价格敏感度", 9.0),
            ("质量事故宽容度", 11.0),
            ("再次购买意愿", 10.0),
            ("推荐意愿", 8.0),
            ("意见建议", 24.0),
        ],
    },
    SheetSpec {
        name: "活动参与",
        headers: &[
            ("活动名称", 18.0),
            ("活动日期", 11.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("是否邀请", 8.0),
            ("是否响应", 8.0),
        ],
    },
    SheetSpec {
        name: "售后服务",
        headers: &[
            ("服务单号", 14.0),
            ("登记日期", 16.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("产品", 16.0),
            ("型号", 18.0),
            ("服务类型", 8.0),
            ("问题描述", 22.0),
            ("服务人员", 8.0),
            ("完成日期", 16.0),
            ("是否保修期内", 10.0),
            ("费用", 10.0),
            ("满意度", 7.0),
        ],
    },
    SheetSpec {
        name: "呼叫记录",
        headers: &[
            ("日期时间", 16.0),
            ("呼入/呼出", 9.0),
            ("号码", 13.0),
            ("客户编号", 13.0),
            ("客户名称", 30.0),
            ("座席员", 8.0),
            ("业务类型", 9.0),
            ("是否接通", 8.0),
            ("通话时长(秒)", 11.0),
            ("质检得分", 8.0),
        ],
    },
];

/// The workbook being written, with a row cursor per sheet.
pub struct Book {
    wb: Workbook,
    next_row: Vec<u32>,
    date: Format,
    datetime: Format,
    money: Format,
    text: Format,
}

/// A constant creation time, so two runs give the same bytes (docProps/core.xml).
fn fixed_properties() -> Result<DocProperties, XlsxError> {
    let created = ExcelDateTime::from_ymd(2026, 11, 1)?.and_hms(8, 0, 0)?;
    Ok(DocProperties::new()
        .set_title("客户管理数据(演示)")
        .set_author("kebiao sample")
        .set_comment("kebiao sample 生成的演示数据,纯属虚构")
        .set_creation_datetime(&created))
}

/// Days since 1899-12-30: the Excel serial (1900 system) of a date.
fn serial(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or(NaiveDate::MIN);
    (d - epoch).num_days() as f64
}

impl Book {
    /// A workbook whose worksheet temp files live in `tmpdir` (the output directory), so a big run
    /// never fills a memory-backed /tmp.
    pub fn new(tmpdir: &Path) -> Result<Book, XlsxError> {
        let mut wb = Workbook::new();
        wb.set_tempdir(tmpdir)?;
        wb.set_properties(&fixed_properties()?);
        let header = Format::new()
            .set_bold()
            .set_background_color("DDEBF7")
            .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
        for spec in SHEETS {
            let ws = wb.add_worksheet_with_constant_memory()?;
            ws.set_name(spec.name)?;
            for (col, (h, width)) in spec.headers.iter().enumerate() {
                ws.set_column_width(col as u16, *width)?;
                ws.write_string_with_format(0, col as u16, *h, &header)?;
            }
            ws.set_freeze_panes(1, 0)?;
        }
        Ok(Book {
            wb,
            next_row: vec![1; SHEETS.len()],
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            money: Format::new().set_num_format("#,##0.00"),
            // Text cells get the "@" format, so an id typed over by a clerk stays text.
            text: Format::new().set_num_format("@"),
        })
    }

    /// Append one row to sheet `sheet` (an index into [`SHEETS`]).
    pub fn row(&mut self, sheet: usize, cells: &[Cell]) -> Result<(), XlsxError> {
        let r = self.next_row[sheet];
        let ws = self.wb.worksheet_from_index(sheet)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                Text(s) => {
                    ws.write_string_with_format(r, c, *s, &self.text)?;
                }
                Own(s) => {
                    ws.write_string_with_format(r, c, s, &self.text)?;
                }
                Date(d) => {
                    ws.write_number_with_format(r, c, serial(*d), &self.date)?;
                }
                DateTime(t) => {
                    let secs = t.time().num_seconds_from_midnight_f64();
                    ws.write_number_with_format(
                        r,
                        c,
                        serial(t.date()) + secs / 86_400.0,
                        &self.datetime,
                    )?;
                }
                Money(m) => {
                    ws.write_number_with_format(r, c, m.to_f64().unwrap_or(0.0), &self.money)?;
                }
                Num(q) => {
                    ws.write_number(r, c, q.to_f64().unwrap_or(0.0))?;
                }
                Int(i) => {
                    ws.write_number(r, c, *i as f64)?;
                }
                Blank => {}
            }
        }
        self.next_row[sheet] += 1;
        Ok(())
    }

    /// Data rows written to each sheet so far.
    pub fn counts(&self) -> Vec<u64> {
        self.next_row.iter().map(|r| u64::from(*r) - 1).collect()
    }

    /// Finish: zip the sheets into `out`.
    pub fn finish<W: std::io::Write + Send>(mut self, out: W) -> Result<(), XlsxError> {
        self.wb.save_to_writer(out)
    }
}

trait SecondsF64 {
    fn num_seconds_from_midnight_f64(&self) -> f64;
}

impl SecondsF64 for chrono::NaiveTime {
    fn num_seconds_from_midnight_f64(&self) -> f64 {
        use chrono::Timelike;
        f64::from(self.num_seconds_from_midnight())
    }
}
