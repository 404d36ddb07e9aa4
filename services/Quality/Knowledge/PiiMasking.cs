using System.Text.RegularExpressions;

namespace Vendor.Quality.Knowledge;

/// <summary>
/// Masks a buyer's personal data in text from real conversations before it becomes a teaching case: emails, ID card numbers, order
/// numbers, mobile and landline numbers, long digit runs, names after cues and in 先生/女士 forms, and addresses. It errs on the side
/// of masking too much: a case reads fine with a placeholder, a leaked phone number cannot be taken back.
/// </summary>
public static partial class PiiMasking
{
    public const string Name = "[姓名]", Phone = "[电话]", IdCard = "[身份证号]", Order = "[订单号]", Address = "[地址]", Email = "[邮箱]",
        Number = "[号码]";

    // The order matters: the most specific shapes first, so an ID card is not taken for an order number or a phone.
    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")]
    private static partial Regex IdCardPattern();

    // 订单号：1234…, 运单号 SF123…: the cue stays, the value goes (letters allowed: JD/SF/YT prefixes).
    [GeneratedRegex(@"(订单编号|订单号|订单|单号|运单号|快递单号|物流单号|order\s*(?:no\.?|number|#))(\s*[:：#]?\s*)[A-Za-z]{0,4}[0-9][0-9A-Za-z\-]{5,}",
        RegexOptions.IgnoreCase)]
    private static partial Regex OrderCuePattern();

    // Mainland mobiles, with +86 and any spaces or dashes between the digits.
    [GeneratedRegex(@"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}(?!\d)")]
    private static partial Regex MobilePattern();

    // Landlines: 0 + area code (2-3 digits), then 7-8 digits, with optional brackets, spaces, dashes and an extension.
    [GeneratedRegex(@"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s\-]?\d{3,4}[\s\-]?\d{4}(?:[\s\-]?(?:转|ext\.?)\s*\d{1,5})?(?!\d)")]
    private static partial Regex LandlinePattern();

    // Any other run of 10+ digits (order numbers without a cue, account and card numbers).
    [GeneratedRegex(@"(?<!\d)\d{10,}(?!\d)")]
    private static partial Regex LongDigitsPattern();

    private const string Surnames =
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

    private const string CompoundSurnames = "欧阳|司马|诸葛|上官|东方|皇甫|慕容|令狐|夏侯|公孙|长孙|宇文|尉迟|独孤|南宫|端木|司徒|轩辕";

    // A firm cue (a form field, then a colon, 是/叫 or a space) is followed by a name, whatever its first character: 收件人：阿依古丽
    // (but not 收件人信息).
    [GeneratedRegex(@"(收件人|收货人|寄件人|联系人|姓名|真实姓名|名字)(\s*(?:是|叫)\s*[:：]?\s*|\s*[:：]\s*|\s+)[\u4e00-\u9fa5·]{2,5}")]
    private static partial Regex FieldNamePattern();

    // A loose cue (买家/客户/我是 …) is followed by a name only when it starts with a surname; else "客户表示…" would be masked.
    [GeneratedRegex(@"(买家|客户|顾客|用户|亲|会员|消费者|我是|我叫|本人是|本人)(\s*[:：]?\s*)(?:" + CompoundSurnames + "|[" + Surnames + @"])[\u4e00-\u9fa5]{1,2}")]
    private static partial Regex CueNamePattern();

    // 张先生, 王女士, 李小姐, 欧阳女士: the surname alone identifies too much together with an order.
    [GeneratedRegex(@"(?:" + CompoundSurnames + "|[" + Surnames + @"])[\u4e00-\u9fa5]{0,2}?(?=先生|女士|小姐|太太|阿姨|师傅)")]
    private static partial Regex HonorificNamePattern();

    // An address: administrative parts (省/市/区/县 …) then a street (路/街/小区 …) and building numbers; or a street followed by a number
    // (文三路478号); or the administrative parts alone (below). The characters a sentence puts before an address (的, 是, 寄到 …) do not start one.
    private const string Lead = @"[\u4e00-\u9fa5-[的是在到址寄送发往住家我你他她请改为填写收货件人]]";
    private const string Admin = "(?:" + Lead + "{1,8}?(?:省|自治区|特别行政区)(?:[\u4e00-\u9fa5]{1,8}?(?:市|州|盟))?(?:[\u4e00-\u9fa5]{1,8}?(?:区|县|旗|镇|乡))?"
        + "|" + Lead + "{1,8}?(?:市|州|盟)(?:[\u4e00-\u9fa5]{1,8}?(?:区|县|旗|镇|乡))?"
        + "|" + Lead + "{1,8}?(?:区|县|旗|镇|乡))";
    private const string Street = "[\u4e00-\u9fa5A-Za-z0-9]{1,16}?(?:路|街|大道|巷|弄|胡同|小区|花园|公寓|大厦|村|苑|广场)";
    private const string Units = "(?:[\u4e00-\u9fa5A-Za-z0-9\\-#－]{0,12}?(?:号楼|号院|号|栋|幢|座|单元|室|楼|层|户))*";

    [GeneratedRegex(Admin + Street + Units + "|" + Lead + "{1,12}?(?:路|街|大道|巷|弄|胡同|小区|花园|公寓|大厦|村|苑)\\s?\\d{1,5}[0-9A-Za-z\\-#－]*" + Units)]
    private static partial Regex StreetAddressPattern();

    [GeneratedRegex(
        @"[\u4e00-\u9fa5-[的是在到址寄送发往住家我你他她请改为填写收货件人：]]{1,8}?(?:省|自治区)[\u4e00-\u9fa5]{1,8}?(?:市|州|盟)(?:[\u4e00-\u9fa5]{1,8}?(?:区|县|旗))?" +
        @"|[\u4e00-\u9fa5-[的是在到址寄送发往住家我你他她请改为填写收货件人：]]{1,8}?市[\u4e00-\u9fa5]{1,8}?(?:区|县)")]
    private static partial Regex AdministrativeAddressPattern();

    // Building numbers left behind an address (3栋2单元1101室, 8-2-301; not 3-5天, not dates).
    [GeneratedRegex(@"(?<![0-9A-Za-z])(?!(?:19|20)\d{2}[\-－])\d{1,4}(?:[\-－]\d{1,4}){2,3}(?:室|号)?(?![0-9A-Za-z])|\d{1,4}(?:栋|幢|号楼|单元|室|层)(?:\d{1,5}(?:栋|幢|号楼|单元|室|层|号)?)*")]
    private static partial Regex UnitPattern();

    public static string Mask(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var masked = EmailPattern().Replace(text, Email);
        masked = IdCardPattern().Replace(masked, IdCard);
        masked = OrderCuePattern().Replace(masked, m => m.Groups[1].Value + m.Groups[2].Value + Order);
        masked = MobilePattern().Replace(masked, Phone);
        masked = LandlinePattern().Replace(masked, Phone);
        masked = LongDigitsPattern().Replace(masked, Number);
        masked = FieldNamePattern().Replace(masked, m => m.Groups[1].Value + m.Groups[2].Value + Name);
        masked = CueNamePattern().Replace(masked, m => m.Groups[1].Value + m.Groups[2].Value + Name);
        masked = HonorificNamePattern().Replace(masked, Name);
        masked = StreetAddressPattern().Replace(masked, Address);
        masked = AdministrativeAddressPattern().Replace(masked, Address);
        masked = UnitPattern().Replace(masked, Address);
        return masked;
    }
}
