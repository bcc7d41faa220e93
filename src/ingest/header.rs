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
/// S4 print Traditional forms, e.g. 客戶編號), and the artefacts of automatic conversion (DOMAIN
/// §3.0.3: 錶→表 ...). Sorted by the traditional character so a lookup is a binary search: this
/// runs on every character of every header and customer name.
const T2S: &[(char, char)] = &[
    ('來', '来'),
    ('係', '系'),
    ('個', '个'),
    ('備', '备'),
    ('傭', '佣'),
    ('傳', '传'),
    ('價', '价'),
    ('億', '亿'),
    ('償', '偿'),
    ('優', '优'),
    ('兌', '兑'),
    ('內', '内'),
    ('別', '别'),
    ('則', '则'),
    ('創', '创'),
    ('動', '动'),
    ('務', '务'),
    ('勢', '势'),
    ('匯', '汇'),
    ('區', '区'),
    ('員', '员'),
    ('問', '问'),
    ('單', '单'),
    ('嚴', '严'),
    ('圓', '圆'),
    ('場', '场'),
    ('學', '学'),
    ('實', '实'),
    ('審', '审'),
    ('寬', '宽'),
    ('專', '专'),
    ('對', '对'),
    ('導', '导'),
    ('屬', '属'),
    ('崗', '岗'),
    ('帳', '账'),
    ('帶', '带'),
    ('幣', '币'),
    ('彆', '别'),
    ('後', '后'),
    ('態', '态'),
    ('應', '应'),
    ('戶', '户'),
    ('換', '换'),
    ('擇', '择'),
    ('擔', '担'),
    ('據', '据'),
    ('數', '数'),
    ('時', '时'),
    ('會', '会'),
    ('東', '东'),
    ('條', '条'),
    ('業', '业'),
    ('標', '标'),
    ('機', '机'),
    ('檔', '档'),
    ('檢', '检'),
    ('權', '权'),
    ('歷', '历'),
    ('決', '决'),
    ('況', '况'),
    ('準', '准'),
    ('滿', '满'),
    ('為', '为'),
    ('營', '营'),
    ('爲', '为'),
    ('狀', '状'),
    ('現', '现'),
    ('產', '产'),
    ('異', '异'),
    ('發', '发'),
    ('瞭', '了'),
    ('碼', '码'),
    ('礎', '础'),
    ('稅', '税'),
    ('種', '种'),
    ('稱', '称'),
    ('積', '积'),
    ('簡', '简'),
    ('糾', '纠'),
    ('約', '约'),
    ('級', '级'),
    ('紛', '纷'),
    ('細', '细'),
    ('紹', '绍'),
    ('組', '组'),
    ('結', '结'),
    ('絡', '络'),
    ('統', '统'),
    ('經', '经'),
    ('維', '维'),
    ('網', '网'),
    ('緊', '紧'),
    ('線', '线'),
    ('編', '编'),
    ('練', '练'),
    ('總', '总'),
    ('績', '绩'),
    ('織', '织'),
    ('繫', '系'),
    ('聯', '联'),
    ('職', '职'),
    ('與', '与'),
    ('華', '华'),
    ('萬', '万'),
    ('處', '处'),
    ('號', '号'),
    ('裝', '装'),
    ('規', '规'),
    ('訂', '订'),
    ('計', '计'),
    ('記', '记'),
    ('訟', '讼'),
    ('訴', '诉'),
    ('註', '注'),
    ('証', '证'),
    ('評', '评'),
    ('話', '话'),
    ('詳', '详'),
    ('認', '认'),
    ('說', '说'),
    ('調', '调'),
    ('證', '证'),
    ('議', '议'),
    ('護', '护'),
    ('變', '变'),
    ('讓', '让'),
    ('負', '负'),
    ('貨', '货'),
    ('責', '责'),
    ('買', '买'),
    ('費', '费'),
    ('貼', '贴'),
    ('資', '资'),
    ('賒', '赊'),
    ('賠', '赔'),
    ('質', '质'),
    ('賬', '账'),
    ('購', '购'),
    ('趨', '趋'),
    ('車', '车'),
    ('輛', '辆'),
    ('轉', '转'),
    ('進', '进'),
    ('選', '选'),
    ('邊', '边'),
    ('郵', '邮'),
    ('鄰', '邻'),
    ('銀', '银'),
    ('銷', '销'),
    ('錄', '录'),
    ('錶', '表'),
    ('門', '门'),
    ('開', '开'),
    ('間', '间'),
    ('閤', '合'),
    ('際', '际'),
    ('險', '险'),
    ('電', '电'),
    ('響', '响'),
    ('項', '项'),
    ('題', '题'),
    ('額', '额'),
    ('類', '类'),
    ('飾', '饰'),
    ('體', '体'),
    ('點', '点'),
    ('齊', '齐'),
    ('齡', '龄'),
    ('齣', '出'),
];

fn t2s(c: char) -> char {
    // Everything in the table is a CJK ideograph; ASCII and most text skip the search.
    if (c as u32) < 0x4E00 {
        return c;
    }
    match T2S.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => T2S[i].1,
        Err(_) => c,
    }
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
    fn t2s_table_is_sorted_and_maps() {
        assert!(
            T2S.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no duplicates"
        );
        assert_eq!(t2s('戶'), '户');
        assert_eq!(t2s('齣'), '出');
        assert_eq!(t2s('來'), '来');
        assert_eq!(t2s('户'), '户');
        assert_eq!(t2s('a'), 'a');
    }

    #[test]
    fn a_huge_cell_normalises_in_linear_time() {
        // Hardening found 35–66 s for one 100,000-character cell (a scan of the table per char).
        let big = "客戶編號".repeat(25_000);
        let t = std::time::Instant::now();
        let k = normalise_header(&big).key;
        assert_eq!(k.chars().count(), 100_000);
        assert!(k.starts_with("客户编号"));
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
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
