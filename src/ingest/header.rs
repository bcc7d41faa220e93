//! Header normalisation (DOMAIN §3.0.3), applied to every header cell before alias lookup and to
//! every alias when the lookup index is built, so both sides are compared in the same form.

use super::normalise::nfkc;

/// A unit found in parentheses at the end of a header. Only 万元 changes values (×10,000); the
/// others are remembered so `check` can show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    WanYuan,
    Days,
    Percent,
    SquareMetres,
    Vehicles,
    People,
}

/// Traditional → Simplified for the characters that occur in the §3 headers and aliases (S0 and
/// S4 print Traditional forms, e.g. 客戶編號). Pairs: traditional, simplified.
const T2S: &str = "戶户編编號号稱称類类屬属業业區区聯联繫系係系話话電电機机務务員员貨货額额單单價价數数發发訂订銷销產产種种規规準准標标邊边際际絡络職职郵邮態态負负責责後后進进來来紹绍動动級级資资賒赊約约帳账賬账條条擔担備备註注說说組组別别門门崗岗狀状間间時时檔档錄录記记調调創创開开營营經经織织銀银評评鄰邻體体據据場场權权積积飾饰險险趨趋勢势點点實实績绩統统計计處处結结賠赔償偿滿满訴诉議议糾纠紛纷訟讼應应費费現现認认證证碼码傳传網网嚴严緊紧況况簡简詳详細细寬宽購购買买與与東东華华維维檢检質质換换貼贴兌兑匯汇對对會会選选擇择決决異异變变響响歷历學学齡龄億亿萬万圓圆幣币問问題题護护練练導导車车輛辆額额總总務务線线權权稅税內内轉转帶带負负積积審审核核爲为為为屬属礎础齊齐讓让優优惠惠款款佣佣傭佣個个號号專专項项準准裝装証证證证聯联繫系姓姓產产業业則则";

/// Artefacts of automatic conversion (DOMAIN §3.0.3).
const ARTEFACTS: &str = "錶表閤合瞭了齣出彆别";

fn t2s(c: char) -> char {
    let mut it = T2S.chars().chain(ARTEFACTS.chars());
    while let (Some(t), Some(s)) = (it.next(), it.next()) {
        if t == c {
            return s;
        }
    }
    c
}

fn is_cjk_index_char(c: char) -> bool {
    "一二三四五六七八九十".contains(c)
}

/// Drop a leading index such as `1.`, `1、`, `(1)`, `一、`, `（一）`.
fn strip_index(s: &str) -> &str {
    let t = s;
    if let Some(rest) = t.strip_prefix('(') {
        if let Some(p) = rest.find(')') {
            let inner = &rest[..p];
            if !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_digit() || is_cjk_index_char(c))
            {
                return &rest[p + 1..];
            }
        }
    }
    let n = t
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || is_cjk_index_char(*c))
        .last()
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    if n > 0 {
        let rest = &t[n..];
        for sep in ['.', '、', ')'] {
            if let Some(r) = rest.strip_prefix(sep) {
                if !r.is_empty() && !r.starts_with(|c: char| c.is_ascii_digit()) {
                    return r;
                }
            }
        }
    }
    t
}

fn unit_of(inner: &str) -> Option<Unit> {
    Some(match inner {
        "元" | "rmb" | "¥" | "人民币" => Unit::Yuan,
        "万元" | "万" => Unit::WanYuan,
        "天" | "日" => Unit::Days,
        "%" => Unit::Percent,
        "m2" | "㎡" | "m²" | "平方米" | "平米" => Unit::SquareMetres,
        "辆" => Unit::Vehicles,
        "人" => Unit::People,
        _ => return None,
    })
}

/// Normalised header: the lookup key and the unit stripped from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormHeader {
    pub key: String,
    pub unit: Option<Unit>,
}

/// Apply §3.0.3: delete whitespace (incl. U+3000 and line breaks), full-width → half-width,
/// drop trailing `:`/`*` and a leading index, Traditional → Simplified, strip a trailing unit in
/// parentheses (remembered), lowercase ASCII.
pub fn normalise_header(raw: &str) -> NormHeader {
    let n = nfkc(raw);
    let mut s: String = n
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{200b}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            _ => t2s(c).to_ascii_lowercase(),
        })
        .collect();
    loop {
        let before = s.len();
        while s.ends_with([':', '*']) {
            s.pop();
        }
        let t = s.trim_start_matches('*');
        if t.len() != s.len() {
            s = t.to_string();
        }
        if s.len() == before {
            break;
        }
    }
    let stripped = strip_index(&s);
    if stripped.len() != s.len() {
        s = stripped.to_string();
    }
    let mut unit = None;
    if s.ends_with(')') {
        if let Some(p) = s.rfind('(') {
            let inner = &s[p + 1..s.len() - 1];
            if let Some(u) = unit_of(inner) {
                unit = Some(u);
                s.truncate(p);
            }
        }
    }
    // 金额万元 / 金额/万元 written without parentheses is also a unit.
    if unit.is_none() && s.len() > "万元".len() {
        for suffix in ["/万元", "万元"] {
            if let Some(x) = s.strip_suffix(suffix) {
                if !x.is_empty() {
                    unit = Some(Unit::WanYuan);
                    s.truncate(x.len());
                    break;
                }
            }
        }
    }
    while s.ends_with([':', '*']) {
        s.pop();
    }
    NormHeader { key: s, unit }
}

/// Customer-name key for matching (§3.0.6): header normalisation plus legal-form suffixes
/// stripped. For matching only; the displayed name never changes.
pub fn name_key(name: &str) -> String {
    let mut k = normalise_header(name).key;
    // Brackets in names (上海某某(集团)有限公司) vary between half and full width; drop them.
    k.retain(|c| !matches!(c, '(' | ')' | '[' | ']' | '·' | '.' | ','));
    for suffix in ["股份有限公司", "有限责任公司", "有限公司", "公司", "集团"] {
        if let Some(x) = k.strip_suffix(suffix) {
            if !x.is_empty() {
                k.truncate(x.len());
                break;
            }
        }
    }
    if let Some(x) = k.strip_suffix("集团") {
        if !x.is_empty() {
            k.truncate(x.len());
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        normalise_header(s).key
    }

    #[test]
    fn header_normalisation_rules() {
        assert_eq!(key(" 客户 名称 "), "客户名称");
        assert_eq!(key("客户\n名称"), "客户名称");
        assert_eq!(key("客户\u{3000}名称："), "客户名称");
        assert_eq!(key("*客户名称*"), "客户名称");
        assert_eq!(key("1.客户名称"), "客户名称");
        assert_eq!(key("一、客户名称"), "客户名称");
        assert_eq!(key("客戶編號"), "客户编号");
        assert_eq!(key("信用調查錶"), "信用调查表");
        assert_eq!(key("E-mail"), "e-mail");
        assert_eq!(key("ＱＱ号"), "qq号");
        let h = normalise_header("金额（万元）");
        assert_eq!(h.key, "金额");
        assert_eq!(h.unit, Some(Unit::WanYuan));
        let h = normalise_header("信用期(天)");
        assert_eq!((h.key.as_str(), h.unit), ("信用期", Some(Unit::Days)));
        let h = normalise_header("单价(元)");
        assert_eq!((h.key.as_str(), h.unit), ("单价", Some(Unit::Yuan)));
        assert_eq!(normalise_header("销售额万元").unit, Some(Unit::WanYuan));
        // A parenthesis that is not a unit stays.
        assert_eq!(key("微信(QQ)"), "微信(qq)");
    }

    #[test]
    fn name_keys_ignore_legal_form() {
        assert_eq!(name_key("上海某某科技有限公司"), name_key("上海某某科技"));
        assert_eq!(name_key("某某集团股份有限公司"), "某某");
        assert_eq!(
            name_key("杭州 某某（集团）有限公司"),
            name_key("杭州某某(集团)公司")
        );
        assert_ne!(name_key("有限公司"), "");
    }
}
