#!/usr/bin/env python3
"""Write a deterministic bilingual (vi + en) news-digest corpus for benchmarks.

    python bench/make_corpus.py OUTDIR --stories N [--seed S] [--untranslated 0.1] [--drafts 0.01]

Writes ``OUTDIR/content/<section>/<name>.vi.md`` (and ``.en.md`` for translated stories) in the
project's content format (docs/content-format.md), and ``OUTDIR/site.yaml``. Standard library only.

Every story is drawn from its own random stream (seed and story number), so the same seed gives the
same files, and a corpus of 1,000 stories is the first 1,000 stories of one of 5,000. Each text is
generated as a (Vietnamese, English) pair, phrase by phrase, so the English file is a rendering of
the Vietnamese one with the same headings, lists, tables and quotes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

Pair = tuple[str, str]  # (Vietnamese, English)

ZONE = timezone(timedelta(hours=7))
FIRST_DAY = datetime(2021, 1, 1, 5, 0, tzinfo=ZONE)
SPAN_MINUTES = 5 * 365 * 24 * 60  # about five years of archive

# Section folder: (Vietnamese name, English name, weight). Some desks publish far more than others.
SECTIONS: dict[str, tuple[str, str, int]] = {
    "chinh-quyen": ("Chính quyền", "Government", 10),
    "cai-cach-hanh-chinh": ("Cải cách hành chính", "Administrative reform", 8),
    "kinh-te": ("Kinh tế", "Economy", 6),
    "xa-hoi": ("Xã hội", "Society", 4),
    "phap-luat": ("Pháp luật", "Law", 3),
    "giao-duc": ("Giáo dục", "Education", 2),
    "y-te": ("Y tế", "Health", 1),
    "quoc-te": ("Quốc tế", "World", 1),
}

PLACES: list[Pair] = [
    ("Hà Nội", "Hanoi"),
    ("TP Hồ Chí Minh", "Ho Chi Minh City"),
    ("Hải Phòng", "Hai Phong"),
    ("Đà Nẵng", "Da Nang"),
    ("Cần Thơ", "Can Tho"),
    ("Quảng Ninh", "Quang Ninh"),
    ("Nghệ An", "Nghe An"),
    ("Thanh Hóa", "Thanh Hoa"),
    ("Sơn La", "Son La"),
    ("Lào Cai", "Lao Cai"),
    ("Hà Giang", "Ha Giang"),
    ("Bắc Giang", "Bac Giang"),
    ("Thái Bình", "Thai Binh"),
    ("Ninh Bình", "Ninh Binh"),
    ("Huế", "Hue"),
    ("Quảng Nam", "Quang Nam"),
    ("Bình Định", "Binh Dinh"),
    ("Khánh Hòa", "Khanh Hoa"),
    ("Đắk Nông", "Dak Nong"),
    ("Lâm Đồng", "Lam Dong"),
    ("Đồng Nai", "Dong Nai"),
    ("Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau"),
    ("Long An", "Long An"),
    ("Tiền Giang", "Tien Giang"),
    ("Sóc Trăng", "Soc Trang"),
    ("Bạc Liêu", "Bac Lieu"),
    ("quận Hoàn Kiếm", "Hoan Kiem district"),
    ("quận Cầu Giấy", "Cau Giay district"),
    ("huyện Đông Anh", "Dong Anh district"),
    ("thị xã Sơn Tây", "Son Tay town"),
]

TOPICS: list[Pair] = [
    ("kỷ cương hành chính", "administrative discipline"),
    ("cải cách hành chính", "administrative reform"),
    ("thủ tục hành chính", "red tape"),
    ("một cửa liên thông", "one-stop shop"),
    ("tinh giản biên chế", "staff cuts"),
    ("văn hóa công sở", "office culture"),
    ("đạo đức công vụ", "civil-service ethics"),
    ("thanh tra công vụ", "duty inspections"),
    ("người đứng đầu", "agency heads"),
    ("cán bộ cấp xã", "commune officials"),
    ("thi tuyển công chức", "civil-service exams"),
    ("chính quyền số", "digital government"),
    ("dịch vụ công trực tuyến", "online public services"),
    ("chỉ số hài lòng", "satisfaction index"),
    ("quy chế dân chủ", "grassroots democracy"),
    ("nông thôn mới", "new countryside"),
    ("đất đai", "land"),
    ("trật tự xây dựng", "building order"),
    ("tiếp công dân", "citizen reception"),
    ("khiếu nại tố cáo", "complaints"),
    ("phòng chống tham nhũng", "anti-corruption"),
    ("nêu gương", "leading by example"),
    ("bệnh thành tích", "box-ticking"),
    ("ngân sách", "budget"),
    ("đầu tư công", "public investment"),
    ("doanh nghiệp", "business"),
    ("giải phóng mặt bằng", "land clearance"),
    ("giáo dục", "education"),
    ("y tế cơ sở", "primary care"),
    ("an sinh xã hội", "social security"),
    ("việc làm", "jobs"),
    ("môi trường", "environment"),
    ("giao thông", "transport"),
    ("hợp tác quốc tế", "international cooperation"),
    ("sáp nhập xã", "commune mergers"),
    ("hộ tịch", "civil registration"),
]

# ~65 tags; a few are on many stories, most on few (weight 1/rank^0.8, rank from a fixed shuffle).
TAGS: list[Pair] = PLACES + TOPICS
_RANKS = random.Random("tag-popularity").sample(range(len(TAGS)), len(TAGS))
TAG_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in _RANKS]

AUTHORS = [
    "Viết Thành",
    "Thu Trang",
    "Minh Khôi",
    "Hoàng Yến",
    "Quang Huy",
    "Ngọc Diệp",
    "Bảo Long",
    "Thanh Tâm",
    "Đức Anh",
    "Mai Phương",
    "Trọng Nghĩa",
    "Khánh Linh",
]
SOURCES = [
    ("hanoimoi.com.vn", "https://hanoimoi.com.vn"),
    ("Báo Chính phủ", "https://baochinhphu.vn"),
    ("Tạp chí Tổ chức nhà nước", "https://tcnn.vn"),
    ("Báo Nhân Dân", "https://nhandan.vn"),
    ("Báo Pháp luật", "https://baophapluat.vn"),
    ("Báo Lao Động", "https://laodong.vn"),
    ("VietnamPlus", "https://www.vietnamplus.vn"),
]
NAMES = [
    "Nguyễn Văn Hải",
    "Trần Thị Thu Hà",
    "Lê Minh Đức",
    "Phạm Quang Vinh",
    "Hoàng Thị Lan",
    "Vũ Đình Khang",
    "Đặng Hữu Phước",
    "Bùi Thanh Tùng",
    "Đỗ Ngọc Ánh",
    "Ngô Xuân Trường",
    "Dương Thị Hồng Nhung",
    "Lý Quốc Bảo",
]

# Headlines repeat on purpose: real archives publish "Siết chặt kỷ cương hành chính" many times.
HEADLINES: list[Pair] = [
    ("Quyết tâm tạo đột phá về kỷ luật, kỷ cương", "Determined to make a breakthrough in discipline"),
    ("Siết chặt kỷ cương hành chính", "Tightening administrative discipline"),
    ("Kết quả thực hiện công tác cải cách hành chính", "Results of administrative reform"),
    ("Chấn chỉnh lề lối, tác phong làm việc", "Correcting working habits and conduct"),
    ("Nâng cao trách nhiệm người đứng đầu", "Raising the accountability of agency heads"),
    ("Không để người dân phải đi lại nhiều lần", "No more repeat trips for residents"),
    ("Đẩy mạnh dịch vụ công trực tuyến", "Pushing online public services"),
    ("Hiệu quả từ mô hình một cửa liên thông", "What the one-stop shop has achieved"),
    ("Tinh giản biên chế gắn với cơ cấu lại đội ngũ", "Streamlining staff and reshaping the workforce"),
    ("Tuyển dụng công chức qua thi tuyển cạnh tranh", "Hiring civil servants through open competition"),
    ("Tránh “bệnh” thành tích", "Avoiding the “achievement disease”"),
    ("Thực hiện tốt quy chế dân chủ ở cơ sở", "Making grassroots democracy work"),
    ("Kiểm tra công vụ đột xuất", "Surprise inspections of public duty"),
    ("Xử lý nghiêm cán bộ né tránh, đùn đẩy", "Strict action against officials who pass the buck"),
    ("Sắp xếp đơn vị hành chính cấp xã", "Reorganising commune-level units"),
    ("Người dân chấm điểm cơ quan công quyền", "Residents grade public agencies"),
    ("Gỡ vướng thủ tục cho doanh nghiệp", "Clearing red tape for businesses"),
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục", "Digitising files and decisions"),
    ("Công khai, minh bạch trong quản lý đất đai", "Openness in land management"),
    ("Nêu gương từ cán bộ chủ chốt", "Key officials setting the example"),
    ("Tiếp công dân: lắng nghe để hành động", "Receiving citizens: listening in order to act"),
    ("Năm kỷ cương hành chính", "The year of administrative discipline"),
]

ACTORS: list[Pair] = [
    ("UBND {p}", "the {p} People's Committee"),
    ("Sở Nội vụ {p}", "the {p} Department of Home Affairs"),
    ("Thanh tra {p}", "the {p} inspectorate"),
    ("HĐND {p}", "the {p} People's Council"),
    ("Ban Thường vụ Tỉnh ủy {p}", "the standing board of the {p} Party Committee"),
    ("Trung tâm Phục vụ hành chính công {p}", "the {p} public service centre"),
    ("các sở, ban, ngành", "departments and agencies"),
    ("chính quyền cấp xã", "commune authorities"),
    ("người đứng đầu các cơ quan, đơn vị", "heads of agencies and units"),
    ("đội ngũ cán bộ, công chức", "civil servants"),
    ("Bộ Nội vụ", "the Ministry of Home Affairs"),
    ("Văn phòng Chính phủ", "the Government Office"),
    ("nhiều địa phương", "many localities"),
    ("Ủy ban Kiểm tra Tỉnh ủy", "the provincial Party inspection commission"),
]
VERBS: list[Pair] = [
    ("đã tập trung chỉ đạo", "focused on"),
    ("tiếp tục đẩy mạnh", "pressed ahead with"),
    ("đặc biệt chú trọng", "paid particular attention to"),
    ("đã triển khai đồng bộ", "rolled out"),
    ("tăng cường kiểm tra", "stepped up checks on"),
    ("kiên quyết chấn chỉnh", "firmly tightened up"),
    ("đã ban hành kế hoạch về", "issued a plan on"),
    ("đã rà soát, đánh giá lại", "reviewed"),
    ("cam kết nâng cao", "pledged to improve"),
    ("đề cao", "put a premium on"),
    ("đã tổ chức sơ kết", "held an interim review of"),
    ("đã lấy ý kiến người dân về", "sought residents' views on"),
]
OBJECTS: list[Pair] = [
    ("kỷ luật, kỷ cương hành chính", "administrative discipline"),
    ("công tác cải cách thủ tục hành chính", "the reform of administrative procedures"),
    ("cơ chế một cửa, một cửa liên thông", "the one-stop-shop mechanism"),
    ("văn hóa công sở", "office culture"),
    ("đạo đức công vụ", "civil-service ethics"),
    ("trách nhiệm nêu gương của người đứng đầu", "the duty of agency heads to set an example"),
    ("chất lượng phục vụ người dân, doanh nghiệp", "the quality of service to residents and businesses"),
    ("việc giải quyết hồ sơ đúng hạn", "the on-time handling of applications"),
    ("công tác tiếp công dân", "the reception of citizens"),
    ("việc sắp xếp tổ chức bộ máy", "the reorganisation of the administrative apparatus"),
    ("tinh giản biên chế", "staff streamlining"),
    ("dịch vụ công trực tuyến toàn trình", "end-to-end online services"),
    ("quy chế dân chủ ở cơ sở", "the rules on grassroots democracy"),
    ("công tác thi tuyển công chức", "competitive civil-service recruitment"),
    ("quản lý đất đai, trật tự xây dựng", "land management and building order"),
    ("việc xử lý đơn thư khiếu nại, tố cáo", "the handling of complaints and denunciations"),
    ("chuyển đổi số trong cơ quan nhà nước", "digital transformation in state agencies"),
    ("lề lối, tác phong làm việc", "working habits and conduct"),
]
PURPOSES: list[Pair] = [
    ("nhằm tạo chuyển biến rõ nét ngay từ đầu năm", "to bring visible change from the start of the year"),
    ("theo tinh thần “rõ người, rõ việc, rõ trách nhiệm”", "in the spirit of “clear people, clear tasks, clear responsibility”"),
    ("gắn với trách nhiệm cá nhân của người đứng đầu", "tying it to the personal responsibility of agency heads"),
    ("để người dân, doanh nghiệp được phục vụ tốt hơn", "so that residents and businesses are better served"),
    ("nhằm khắc phục tình trạng đùn đẩy, né tránh", "to put an end to buck-passing and evasion"),
    ("trong toàn hệ thống chính trị", "across the whole political system"),
    ("trên địa bàn {p}", "across {p}"),
    ("bảo đảm công khai, minh bạch", "with openness and transparency"),
    ("tránh làm kiểu “đầu voi đuôi chuột”", "avoiding projects that “start big and end small”"),
    ("theo đúng quy định của pháp luật", "in line with the law"),
    ("theo nguyên tắc “một đầu mối - một việc xuyên suốt”", "on the principle of “one contact point, one task seen through”"),
]
OPENERS: list[Pair] = [
    ("Đồng thời, ", "At the same time, "),
    ("Bên cạnh đó, ", "In addition, "),
    ("Theo kế hoạch, ", "Under the plan, "),
    ("Trong năm {y}, ", "In {y}, "),
    ("Thời gian qua, ", "Over the past months, "),
    ("Trước đó, ", "Earlier, "),
    ("Cũng theo báo cáo, ", "According to the same report, "),
    ("Từ đầu năm {y}, ", "Since the start of {y}, "),
]
OFFICIALS: list[Pair] = [
    ("Giám đốc Sở Nội vụ {p} {n}", "{n}, director of the {p} Department of Home Affairs"),
    ("Chủ tịch UBND {p} {n}", "{n}, chairman of the {p} People's Committee"),
    ("Phó Bí thư Tỉnh ủy {p} {n}", "{n}, deputy secretary of the {p} Party Committee"),
    ("Chánh Thanh tra {p} {n}", "{n}, chief inspector of {p}"),
    ("Thứ trưởng Bộ Nội vụ {n}", "Deputy Minister of Home Affairs {n}"),
    ("Trưởng ban Tổ chức Tỉnh ủy {p} {n}", "{n}, head of the {p} Party Organisation Commission"),
]
HEADINGS: list[Pair] = [
    ("Vào cuộc khẩn trương", "Getting to work"),
    ("Chuyển biến từ cơ sở", "Change at the grassroots"),
    ("Siết chặt kỷ cương", "Tightening discipline"),
    ("Những tồn tại, hạn chế", "Shortcomings"),
    ("Giải pháp trọng tâm", "Key measures"),
    ("Người dân là thước đo", "Residents as the yardstick"),
    ("Nêu gương từ người đứng đầu", "Leaders set the example"),
    ("Nhiệm vụ thời gian tới", "The tasks ahead"),
    ("Không để “đầu voi đuôi chuột”", "No “big start, small finish”"),
    ("Số hóa hồ sơ", "Digitising the files"),
]
QUOTES: list[Pair] = [
    ("Kỷ cương, kỷ luật là động lực của thành công", "Discipline and order are what make success possible"),
    (
        "Dân cần thì cán bộ phải có mặt, không để dân chờ",
        "When residents need us, officials must be there, not keep them waiting",
    ),
    ("Cán bộ nào né tránh, đùn đẩy thì phải thay ngay", "Any official who dodges or passes the buck must be replaced at once"),
    ("Đo hiệu quả bằng sự hài lòng của người dân", "Results are measured by how satisfied residents are"),
]
DIRECTIVES: list[Pair] = [
    ("Tăng cường", "Strengthen"),
    ("Nâng cao", "Improve"),
    ("Chấn chỉnh", "Tighten up"),
    ("Rà soát, hoàn thiện", "Review and refine"),
    ("Đẩy mạnh", "Step up"),
    ("Kiểm tra, giám sát", "Monitor"),
]
# Table rows: (Vietnamese label, English label, typical yearly count).
TABLE_ROWS: list[tuple[str, str, int]] = [
    ("Hồ sơ tiếp nhận", "Applications received", 40_000),
    ("Hồ sơ giải quyết đúng hạn", "Settled on time", 36_000),
    ("Hồ sơ nộp trực tuyến", "Filed online", 15_000),
    ("Đơn thư khiếu nại", "Complaints", 600),
    ("Cán bộ bị xử lý kỷ luật", "Officials disciplined", 25),
]


@dataclass(frozen=True)
class Context:
    """What one story's sentences share: its place, year and source link."""

    rng: random.Random
    place: Pair
    year: int
    link: str


def slugify(text: str) -> str:
    """ASCII, lower case, hyphens (Đ/đ become d), for file names."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def fill(pair: Pair, ctx: Context, **extra: object) -> Pair:
    """Put the story's place and year (and any extra fields) into both halves of a phrase pair."""
    return (pair[0].format(p=ctx.place[0], y=ctx.year, **extra), pair[1].format(p=ctx.place[1], y=ctx.year, **extra))


def join(*parts: Pair, sep: str = "") -> Pair:
    return (sep.join(p[0] for p in parts), sep.join(p[1] for p in parts))


def capitalised(pair: Pair) -> Pair:
    return (pair[0][:1].upper() + pair[0][1:], pair[1][:1].upper() + pair[1][1:])


def number(value: float, lang: str, decimals: int = 0) -> str:
    """12.345 and 87,5 in Vietnamese; 12,345 and 87.5 in English."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


def clause(ctx: Context) -> Pair:
    """Actor, verb, object and (often) a purpose; the object is now and then bold or a link."""
    r = ctx.rng
    obj = r.choice(OBJECTS)
    style = r.random()
    if style < 0.06:
        obj = (f"**{obj[0]}**", f"**{obj[1]}**")
    elif style < 0.1:
        obj = (f"[{obj[0]}]({ctx.link})", f"[{obj[1]}]({ctx.link})")
    parts = [fill(r.choice(ACTORS), ctx), (" ", " "), r.choice(VERBS), (" ", " "), obj]
    if r.random() < 0.65:
        parts += [(", ", ", "), fill(r.choice(PURPOSES), ctx)]
    return join(*parts)


def official(ctx: Context) -> Pair:
    """A named official, shaped to be a sentence's subject ("X, director of Y," in English)."""
    vi, en = fill(ctx.rng.choice(OFFICIALS), ctx, n=ctx.rng.choice(NAMES))
    return (vi, en + "," if ", " in en else en)


def reported_sentence(ctx: Context) -> Pair:
    said, body = official(ctx), clause(ctx)
    if ctx.rng.random() < 0.5:
        return (f"Theo {said[0]}, {body[0]}.", f"According to {said[1].rstrip(',')}, {body[1]}.")
    return (f"{said[0]} cho biết, {body[0]}.", f"{said[1]} said {body[1]}.")


def figures_sentence(ctx: Context) -> Pair:
    r, y = ctx.rng, ctx.year
    kind = r.randrange(3)
    if kind == 0:
        months, total, share = r.randint(2, 11), r.randint(1_500, 90_000), r.uniform(85, 99.9)
        vi = (
            f"Trong {months} tháng đầu năm {y}, {ctx.place[0]} đã tiếp nhận {number(total, 'vi')} hồ sơ, "
            f"trong đó {number(share, 'vi', 1)}% được giải quyết trước và đúng hạn."
        )
        en = (
            f"In the first {months} months of {y}, {ctx.place[1]} received {number(total, 'en')} applications, "
            f"{number(share, 'en', 1)}% of which were settled early or on time."
        )
        return (vi, en)
    if kind == 1:
        score, gain = r.uniform(78, 96), r.uniform(0.5, 6)
        return (
            f"Chỉ số hài lòng của người dân đối với sự phục vụ của cơ quan hành chính đạt {number(score, 'vi', 2)}%, "
            f"tăng {number(gain, 'vi', 1)} điểm phần trăm so với năm {y - 1}.",
            f"Residents' satisfaction with administrative services reached {number(score, 'en', 2)}%, "
            f"up {number(gain, 'en', 1)} percentage points on {y - 1}.",
        )
    visits, found, punished = r.randint(12, 60), r.randint(6, 140), r.randint(1, 12)
    return (
        f"Qua {visits} cuộc kiểm tra công vụ đột xuất, đoàn kiểm tra phát hiện {found} trường hợp "
        f"vi phạm giờ giấc làm việc và đề nghị xử lý kỷ luật {punished} cán bộ.",
        f"{visits} surprise duty inspections found {found} breaches of working hours, and the inspectors "
        f"proposed disciplinary action against {punished} officials.",
    )


def sentence(ctx: Context) -> Pair:
    r = ctx.rng.random()
    if r < 0.15:
        return reported_sentence(ctx)
    if r < 0.25:
        return figures_sentence(ctx)
    opener = fill(ctx.rng.choice(OPENERS), ctx) if ctx.rng.random() < 0.35 else ("", "")
    main = clause(ctx)
    if ctx.rng.random() < 0.25:
        main = join(main, ("; ", "; "), clause(ctx))
    return capitalised(join(opener, main, (".", ".")))


def paragraph(ctx: Context, sentences: int) -> Pair:
    return join(*(sentence(ctx) for _ in range(sentences)), sep=" ")


def bullet_list(ctx: Context) -> Pair:
    ordered = ctx.rng.random() < 0.4
    intro = (
        ("Các nhiệm vụ trọng tâm gồm:", "The main tasks are:")
        if ordered
        else ("Cụ thể, các cơ quan, đơn vị phải:", "In practice, agencies and units must:")
    )
    items = []
    for n in range(1, ctx.rng.randint(3, 6) + 1):
        marker = f"{n}. " if ordered else "- "
        verb, obj = ctx.rng.choice(DIRECTIVES), ctx.rng.choice(OBJECTS)
        items.append((f"{marker}{verb[0]} {obj[0]};", f"{marker}{verb[1]} {obj[1]};"))
    return join(intro, ("\n\n", "\n\n"), join(*items, sep="\n"))


def blockquote(ctx: Context) -> Pair:
    quote, who = ctx.rng.choice(QUOTES), official(ctx)
    follow = sentence(ctx)
    return (f"> “{quote[0]}”, {who[0]} nhấn mạnh.\n>\n> {follow[0]}", f"> “{quote[1]}”, {who[1]} stressed.\n>\n> {follow[1]}")


def table(ctx: Context) -> Pair:
    r, y = ctx.rng, ctx.year
    rows = r.sample(TABLE_ROWS, r.randint(2, len(TABLE_ROWS)))
    lines = [
        (f"Kết quả giải quyết thủ tục hành chính tại {ctx.place[0]}:", f"Administrative procedures in {ctx.place[1]}:"),
        ("", ""),
        (f"| Chỉ tiêu | {y - 1} | {y} | Tăng, giảm |", f"| Indicator | {y - 1} | {y} | Change |"),
        ("| --- | ---: | ---: | ---: |",) * 2,
    ]
    for vi, en, typical in rows:
        before, after = round(typical * r.uniform(0.6, 1.4)), round(typical * r.uniform(0.6, 1.4))
        change = (after - before) / before * 100
        sign = "+" if change > 0 else ""
        lines.append(
            (
                f"| {vi} | {number(before, 'vi')} | {number(after, 'vi')} | {sign}{number(change, 'vi', 1)}% |",
                f"| {en} | {number(before, 'en')} | {number(after, 'en')} | {sign}{number(change, 'en', 1)}% |",
            )
        )
    return join(*lines, sep="\n")


def figure(ctx: Context, name: str) -> Pair:
    caption = fill(("Người dân làm thủ tục tại bộ phận một cửa {p}", "Residents at the one-stop shop in {p}"), ctx)
    src = f"/images/{ctx.year}/{name}-{ctx.rng.randint(1, 9)}.jpg"
    return (f'![{caption[0]}]({src} "{caption[0]}")', f'![{caption[1]}]({src} "{caption[1]}")')


def words(text: str) -> int:
    return len(text.split())


def body(ctx: Context, target_words: int, name: str, source: str) -> Pair:
    """Lede, then paragraphs under ``##`` headings with a list, a quote, now and then a table or a
    photo, until the Vietnamese text has about ``target_words`` words; then the source line."""
    blocks = [paragraph(ctx, ctx.rng.randint(2, 3))]
    extras: list[Callable[[], Pair]] = [lambda: bullet_list(ctx), lambda: blockquote(ctx)]
    if ctx.rng.random() < 0.2:
        extras.append(lambda: table(ctx))
    if ctx.rng.random() < 0.15:
        extras.append(lambda: figure(ctx, name))
    ctx.rng.shuffle(extras)
    headings = ctx.rng.sample(HEADINGS, 4)
    count = words(blocks[0][0])
    while count < target_words:
        if len(blocks) % 4 == 2 and headings:
            heading = headings.pop()
            blocks.append((f"## {heading[0]}", f"## {heading[1]}"))
        if extras and target_words - count > 150 and ctx.rng.random() < 0.3:
            blocks.append(extras.pop()())
        else:
            blocks.append(_paragraph_upto(ctx, ctx.rng.randint(3, 5), target_words - count))
        count += words(blocks[-1][0])
    blocks.append((f"*Theo {source}*", f"*Source: {source}*"))
    return join(*blocks, sep="\n\n")


def _paragraph_upto(ctx: Context, sentences: int, room: int) -> Pair:
    """A paragraph of ``sentences`` sentences, cut short once it has ``room`` words."""
    made: list[Pair] = []
    while len(made) < sentences and room > 0:
        made.append(sentence(ctx))
        room -= words(made[-1][0])
    return join(*made, sep=" ")


_PLAIN = re.compile(r"[^\W\d][\w ,.()/'’“”-]*")
_RESERVED = re.compile(r"(true|false|yes|no|on|off|null|~)", re.IGNORECASE)


def yaml_scalar(value: object) -> str:
    """A YAML scalar: plain when that is safe, else double-quoted (a JSON string is valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and not _RESERVED.fullmatch(text) and not text.endswith((" ", ",")):
        return text
    return json.dumps(text, ensure_ascii=False)


def front_matter(fields: dict[str, object]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {yaml_scalar(v)}" for k, v in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(json.dumps(v, ensure_ascii=False) for v in value)}]")
        else:
            lines.append(f"{key}: {yaml_scalar(value)}")
    return "\n".join(lines + ["---", ""])


def pick_tags(rng: random.Random, place: int) -> list[int]:
    """2–4 distinct tags by popularity, the story's own place among them half the time."""
    wanted = rng.randint(2, 4)
    chosen = [place] if rng.random() < 0.5 else []
    while len(chosen) < wanted:
        tag = rng.choices(range(len(TAGS)), weights=TAG_WEIGHTS)[0]
        if tag not in chosen:
            chosen.append(tag)
    return chosen


def headline(rng: random.Random, place: Pair, year: int) -> Pair:
    title = rng.choice(HEADLINES)
    if rng.random() < 0.4:
        title = (f"{place[0]}: {title[0]}", f"{place[1]}: {title[1]}")
    if rng.random() < 0.2:
        title = (f"{title[0]} năm {year}", f"{title[1]} in {year}")
    return title


@dataclass(frozen=True)
class Story:
    section: str
    name: str
    files: dict[str, str]  # language → file text


def make_story(index: int, seed: str, untranslated: float, drafts: float) -> Story:
    """Story number ``index``, from its own random stream."""
    r = random.Random(f"{seed}:{index}")
    section = r.choices(list(SECTIONS), weights=[s[2] for s in SECTIONS.values()])[0]
    date = FIRST_DAY + timedelta(minutes=r.randrange(SPAN_MINUTES))
    place_index = r.randrange(len(PLACES))
    place = PLACES[place_index]
    title = headline(r, place, date.year)
    name = f"{slugify(title[0])[:50].rstrip('-')}-{index + 1}"
    source_name, source_site = r.choice(SOURCES)
    link = f"{source_site}/{slugify(title[0])[:40].rstrip('-')}-{100000 + index}.html"
    ctx = Context(r, place, date.year, link)
    texts = body(ctx, r.randint(700, 1270), name, source_name)
    tags = pick_tags(r, place_index)
    author = r.choice(AUTHORS)
    common: dict[str, object] = {
        "date": date,
        "author": author,
        "source": {"name": source_name, "url": link},
        "views": int(r.lognormvariate(6.5, 1.2)),
    }
    extra = _optional_fields(ctx, name, author)
    langs = ["vi"] if r.random() < untranslated else ["vi", "en"]
    draft = r.random() < drafts
    files = {}
    for k, lang in enumerate(langs):
        fields: dict[str, object] = {"title": title[k], **common, "tags": [TAGS[t][k] for t in tags]}
        fields.update({key: _half(value, k) for key, value in extra.items()})
        if draft:
            fields["draft"] = True
        files[lang] = unicodedata.normalize("NFC", front_matter(fields) + texts[k] + "\n")
    return Story(section, name, files)


def _optional_fields(ctx: Context, name: str, author: str) -> dict[str, object]:
    """An image on about half the stories, a summary on about 40%."""
    extra: dict[str, object] = {}
    if ctx.rng.random() < 0.5:
        caption = fill(
            ("Hướng dẫn người dân làm thủ tục hành chính tại {p}", "Officials help residents with paperwork in {p}"), ctx
        )
        extra["image"] = {"src": f"/images/{ctx.year}/{name}.jpg", "alt": caption, "caption": caption, "credit": author}
    if ctx.rng.random() < 0.4:
        extra["summary"] = sentence(ctx)
    return extra


def _half(value: object, k: int) -> object:
    """The language ``k`` half of a field made of pairs."""
    if isinstance(value, tuple):
        return value[k]
    if isinstance(value, dict):
        return {key: _half(v, k) for key, v in value.items()}
    return value


def site_yaml() -> str:
    lines = [
        "# Benchmark corpus written by bench/make_corpus.py",
        "title: {vi: Bản tin Kỷ cương, en: The Discipline Digest}",
        "description: {vi: Bản tin song ngữ về cải cách hành chính, en: A bilingual digest on administrative reform}",
        "languages: [vi, en]",
        'timezone: "+07:00"',
        "sections:",
    ]
    lines += [f"  {folder}: {{vi: {vi}, en: {en}}}" for folder, (vi, en, _) in SECTIONS.items()]
    return "\n".join(lines) + "\n"


def write_corpus(outdir: Path, stories: int, seed: str = "1", untranslated: float = 0.1, drafts: float = 0.01) -> int:
    """Write the corpus and ``site.yaml`` into ``outdir``; return the number of story files."""
    content = outdir / "content"
    if content.exists() and any(content.iterdir()):
        raise FileExistsError(f"{content} already has files; remove it first")
    count = 0
    for index in range(stories):
        story = make_story(index, seed, untranslated, drafts)
        folder = content / story.section
        folder.mkdir(parents=True, exist_ok=True)
        for lang, text in story.files.items():
            (folder / f"{story.name}.{lang}.md").write_text(text, encoding="utf-8")
            count += 1
    (outdir / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    return count


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic bilingual news-digest corpus.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--stories", type=int, required=True, help="number of stories (one or two files each)")
    parser.add_argument("--seed", default="1", help="random seed (any text; default 1)")
    parser.add_argument("--untranslated", type=_share, default=0.1, help="share of Vietnamese-only stories")
    parser.add_argument("--drafts", type=_share, default=0.01, help="share of stories marked draft")
    args = parser.parse_args(argv)
    if args.stories < 1:
        parser.error("--stories must be 1 or more")
    try:
        count = write_corpus(args.outdir, args.stories, args.seed, args.untranslated, args.drafts)
    except FileExistsError as exc:
        print(f"make_corpus.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"{count} files for {args.stories} stories in {args.outdir / 'content'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
