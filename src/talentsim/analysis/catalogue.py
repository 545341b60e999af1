"""Every label of the report and the dashboard in 中文 and English, in one typed catalogue.

A :class:`Text` holds both languages of one label; ``text(lang, **values)`` picks one and fills
its ``{placeholders}``. Outcome columns, levers, talent-flow nodes, units and messages are all
looked up here, so a component never carries a string of its own, and the outcome column names
the views rely on are written down in one place (:data:`OUTCOMES`).

Chinese policy terms follow the paper: 产教融合 (integration of industry and education),
科教融汇 (integration of science and education), 中职 / 高职 (secondary / higher vocational),
对口就业 (in-field employment), 先行区 (pilot zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "en"

Kind = Literal["rate", "money", "people", "count", "index", "year"]
"""How an outcome is shown: rate (share 0–1, shown in %), money (RMB), people, count, index."""


@dataclass(frozen=True)
class Text:
    """One label in both languages; ``{name}`` placeholders are filled by the call."""

    en: str
    zh: str

    def __call__(self, lang: Lang = DEFAULT_LANG, **values: object) -> str:
        """The label in ``lang`` with ``values`` filled in."""
        template = self.zh if lang == "zh" else self.en
        return template.format(**values) if values else template


def parse_lang(value: str | None) -> Lang:
    """The language named by ``value`` (``zh``, ``zh-CN``, ``en`` ...); English otherwise."""
    code = (value or "").strip().lower()
    return "zh" if code.startswith("zh") else "en"


@dataclass(frozen=True)
class Outcome:
    """What an outcome column means for display.

    Attributes:
        label: Its name.
        kind: How its values are shown (see :data:`Kind`).
        unit: The unit of a ``people`` or ``count`` outcome (money and rates bring their own).
        per_year: Whether it is a yearly flow (money or people per year).

    """

    label: Text
    kind: Kind
    unit: Text | None = None
    per_year: bool = False


PERSONS = Text("persons", "人")
FIRMS = Text("firms", "家")

OUTCOMES: dict[str, Outcome] = {
    "retention_1y": Outcome(
        Text("Graduates still in the city after 1 year", "毕业1年留淄率"), "rate"
    ),
    "retention_3y": Outcome(
        Text("Graduates still in the city after 3 years", "毕业3年留淄率"), "rate"
    ),
    "retention_5y": Outcome(
        Text("Graduates still in the city after 5 years", "毕业5年留淄率"), "rate"
    ),
    "retained_skilled_3y": Outcome(
        Text("Skilled graduates still in the city after 3 years", "毕业3年留淄技能人才"),
        "people",
        PERSONS,
        per_year=True,
    ),
    "mismatch_flow": Outcome(
        Text("Mismatch of new graduates and openings (0–1)", "新增毕业生与岗位错配指数（0–1）"),
        "index",
    ),
    "retention_rate": Outcome(Text("Graduates staying in the city", "毕业生留淄率"), "rate"),
    "local_retention_rate": Outcome(
        Text("Local graduates staying in the city", "本地生源毕业生留淄率"), "rate"
    ),
    "retained_skilled": Outcome(
        Text("Skilled graduates retained", "留淄技能人才"), "people", PERSONS, per_year=True
    ),
    "employment_rate": Outcome(Text("Employed, of graduates who stay", "留淄毕业生就业率"), "rate"),
    "in_field_rate": Outcome(Text("In-field jobs, of employed graduates", "对口就业率"), "rate"),
    "zhongzhi_in_field_rate": Outcome(
        Text("中职 graduates in field", "中职毕业生对口就业率"), "rate"
    ),
    "zhongzhi_continue_rate": Outcome(
        Text("中职 graduates continuing to study", "中职毕业生升学率"), "rate"
    ),
    "unemployment_rate": Outcome(Text("Unemployment rate", "失业率"), "rate"),
    "vacancy_rate": Outcome(Text("Vacancy rate", "岗位空缺率"), "rate"),
    "vacancy_fill_rate": Outcome(Text("Vacancies filled", "岗位填补率"), "rate"),
    "mismatch_jrl": Outcome(
        Text("Field mismatch index (JRL, 0–1)", "专业错配指数（JRL，0–1）"), "index"
    ),
    "mismatch_sahin": Outcome(
        Text("Mismatch index (Şahin, 0–1)", "错配指数（Şahin，0–1）"), "index"
    ),
    "duplication_index": Outcome(
        Text("Duplication of school programmes (0–1)", "专业设置同质化指数（0–1）"), "index"
    ),
    "firm_participation_rate": Outcome(
        Text("Firms co-operating with schools", "参与校企合作的企业比例"), "rate"
    ),
    "rd_intensity": Outcome(Text("R&D intensity (of value added)", "研发投入强度"), "rate"),
    "value_added": Outcome(Text("Value added", "增加值"), "money", per_year=True),
    "fiscal_cost": Outcome(
        Text("Fiscal cost of the policy mix", "政策财政支出"), "money", per_year=True
    ),
    "rd_spending": Outcome(Text("R&D spending", "研发投入"), "money", per_year=True),
    "tech_transfer_output": Outcome(
        Text("Technology transfer", "技术转移成交额"), "money", per_year=True
    ),
    "population": Outcome(Text("Population", "常住人口"), "people", PERSONS),
    "graduates": Outcome(Text("Graduates", "毕业生"), "people", PERSONS, per_year=True),
    "graduate_inflow": Outcome(
        Text("Graduates arriving from elsewhere", "外地毕业生流入"),
        "people",
        PERSONS,
        per_year=True,
    ),
    "apprentices": Outcome(Text("Apprentices", "学徒"), "people", PERSONS, per_year=True),
    "coop_projects": Outcome(
        Text("School–firm projects", "校企合作项目"), "count", Text("projects", "项"), per_year=True
    ),
    "firms": Outcome(Text("Firms", "企业数"), "count", FIRMS),
    "innovations": Outcome(Text("Innovations", "创新成果"), "count", Text("", "项"), per_year=True),
}
"""The outcome columns the views name (other columns get a label made from their name)."""

LEVELS = {
    "zhongzhi": Text("中职 secondary vocational", "中职"),
    "gaozhi": Text("高职 higher vocational", "高职"),
    "benke": Text("本科 bachelor", "本科"),
    "graduate": Text("研究生 postgraduate", "研究生"),
}

ORIGINS = {
    "local": Text("born in the city", "本地生源"),
    "incoming": Text("came to study", "外地来淄就读"),
    "general_hs": Text("普高 general high school", "普高"),
    "secondary": Text("secondary level", "中等教育层次"),
}

LEVERS: dict[str, Text] = {
    "policy.coordination": Text("Coordination body (统筹)", "产教融合统筹机构"),
    "policy.specialty_alignment": Text("Specialty alignment", "专业设置对接产业"),
    "policy.apprenticeship_subsidy": Text("Apprenticeship subsidy", "学徒制补贴"),
    "policy.coop_project_subsidy": Text("Co-operation project subsidy", "校企合作项目补贴"),
    "policy.training_base_cofunding": Text("Training-base co-funding", "实训基地共建资金"),
    "policy.land_grant": Text("Land grant", "产教融合用地"),
    "policy.integration_units": Text("产才融合 units", "产才融合单位"),
    "policy.soe_rd_growth": Text("SOE R&D growth", "国企研发投入增长"),
    "policy.rd_super_deduction": Text("R&D super-deduction", "研发费用加计扣除"),
    "policy.surcharge_credit": Text("Education surcharge credit", "教育费附加抵免"),
    "policy.talent_subsidy.monthly_allowance": Text("Talent allowance", "人才生活补贴"),
    "policy.talent_subsidy": Text("Talent subsidy", "人才补贴"),
    "policy.park": Text("Demonstration park (先行区)", "产教融合先行区"),
    "policy.park.enabled": Text("Demonstration park (先行区)", "产教融合先行区"),
    "policy.apprentice_cost_cut": Text("Apprentice cost cut", "学徒培养成本补助（实物）"),
    "policy.retention_bonus": Text("Apprentice retention bonus", "学徒留用奖励"),
    "policy.placement_reward": Text("Placement reward (奖补)", "对口就业奖补"),
    "policy.project_reward": Text("Project reward (奖补)", "校企合作项目奖补"),
    "policy.staff_education_deduction": Text("Staff-education deduction", "职工教育经费税前扣除"),
    "firms.trainee_gain": Text("Trainee productivity gain", "学徒生产率提升"),
}
"""Lever (and uncertainty) labels by dotted config path (without the trailing ``.value``)."""

UNITS: dict[str, Text] = {
    "RMB/apprentice-year": Text("RMB/apprentice-year", "元/人·年"),
    "RMB/month": Text("RMB/month", "元/月"),
    "ha/yr": Text("ha/yr", "公顷/年"),
    "strength 0-1": Text("strength 0-1", "强度 0–1"),
    "share of project cost": Text("share of project cost", "占项目成本比例"),
    "RMB per RMB of firm investment": Text("RMB per RMB of firm investment", "元/企业投入每元"),
    "share of above-scale firms": Text("share of above-scale firms", "占规上企业比例"),
    "1/yr": Text("1/yr", "每年"),
    "extra deduction rate": Text("extra deduction rate", "加计扣除比例"),
    "share": Text("share", "比例"),
    "year": Text("year", "年"),
}
"""Schema units (``config/schema.py``) as the dashboard shows them; others are shown as is."""

NODES: dict[str, Text] = {
    "cohort": Text("Cohort aged 15", "15岁同龄人口"),
    "general_hs": Text("普高 general high school", "普通高中"),
    "zhongzhi": LEVELS["zhongzhi"],
    "gaozhi": LEVELS["gaozhi"],
    "benke": LEVELS["benke"],
    "graduate": LEVELS["graduate"],
    "inflow": Text("Graduates from elsewhere", "外地毕业生"),
    "job_in_field": Text("Job in field (对口)", "对口就业"),
    "job_out_of_field": Text("Job out of field", "非对口就业"),
    "unemployed": Text("Unemployed", "未就业"),
    "left_city": Text("Left the city", "离开淄博"),
    "study_elsewhere": Text("Study elsewhere", "外地求学"),
    "applicant": Text("Unplaced applicants", "未录取考生"),
}
"""Talent-flow (Sankey) node names, the same in the report and the dashboard."""

SCENARIOS: dict[str, Text] = {
    "baseline": Text("Baseline (status quo)", "基准情景（现状）"),
    "coordination_body": Text("Coordination body", "统筹机构"),
    "specialty_alignment": Text("Specialty alignment", "专业对接产业"),
    "incentives": Text("Firm incentives", "企业激励"),
    "demo_park": Text("Demonstration park (先行区)", "产教融合先行区"),
    "combined": Text("All four combined", "四项建议组合"),
}
"""Names of the shipped scenarios (configs/scenarios/); other scenarios keep their own name."""

STATISTICS: dict[str, Text] = {
    "final": Text("value in the final year", "末年值"),
    "mean": Text("mean over the horizon", "模拟期平均值"),
    "total": Text("sum over the horizon", "模拟期合计"),
}

INDICES: dict[str, Text] = {
    "S1": Text("first order S1", "一阶指数 S1"),
    "ST": Text("total ST", "总效应指数 ST"),
    "mu_star": Text("mu*", "mu*"),
    "sigma": Text("sigma", "sigma"),
}


def outcome(name: str) -> Outcome:
    """The display facts of an outcome column; unknown columns get a label from their name."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    if name.startswith(("shortage_rate_", "surplus_rate_")):
        kind, field = name.split("_rate_", 1)
        field = field.replace("_", " ")
        en, zh = ("Shortage", "岗位缺口率") if kind == "shortage" else ("Surplus", "毕业生过剩率")
        return Outcome(Text(f"{en} rate: {field}", f"{zh}：{field}"), "rate")
    if name.startswith("shortage_"):
        field = name.removeprefix("shortage_").replace("_", " ")
        return Outcome(Text(f"Shortage: {field}", f"人才缺口：{field}"), "people", PERSONS)
    for prefix, en, zh in (
        ("retention_1y_", "Still in the city after 1 year", "毕业1年留淄率"),
        ("retention_3y_", "Still in the city after 3 years", "毕业3年留淄率"),
        ("retention_5y_", "Still in the city after 5 years", "毕业5年留淄率"),
        ("in_field_rate_", "In-field jobs", "对口就业率"),
        ("mismatch_flow_", "Mismatch of new graduates and openings", "新增毕业生与岗位错配指数"),
    ):
        if name.startswith(prefix):
            group = name.removeprefix(prefix)
            who = LEVELS.get(group, ORIGINS.get(group, Text(group, group)))
            kind: Kind = "index" if prefix == "mismatch_flow_" else "rate"
            return Outcome(Text(f"{en}, {who.en}", f"{who.zh}{zh}"), kind)
    if name.startswith("fiscal_cost_"):
        lever = LEVERS.get(f"policy.{name.removeprefix('fiscal_cost_')}")
        part = lever or Text(name.removeprefix("fiscal_cost_").replace("_", " "), "")
        zh = part.zh or part.en
        return Outcome(Text(f"Fiscal cost: {part.en}", f"财政支出：{zh}"), "money", per_year=True)
    if name.startswith("graduates_") and name.removeprefix("graduates_") in LEVELS:
        level = LEVELS[name.removeprefix("graduates_")]
        return Outcome(Text(f"Graduates, {level.en}", f"{level.zh}毕业生"), "people", PERSONS, True)
    if name.startswith(("wage_", "rd_spending")):
        return Outcome(Text(name.replace("_", " "), name), "money")
    plain = name.replace("_", " ")
    if name.endswith(("_rate", "_share", "_intensity", "_retention")):
        return Outcome(Text(plain, plain), "rate")
    return Outcome(Text(plain, plain), "count")


def outcome_label(name: str, lang: Lang = DEFAULT_LANG) -> str:
    """The name of an outcome column in ``lang``."""
    return outcome(name).label(lang)


def lever_label(path: str, lang: Lang = DEFAULT_LANG) -> str:
    """The name of a lever given by its dotted config path (``.value`` optional)."""
    key = path.removesuffix(".value")
    if key in LEVERS:
        return LEVERS[key](lang)
    if key.removesuffix(".start_year") in LEVERS:
        return f"{LEVERS[key.removesuffix('.start_year')](lang)} · {M.start_year(lang)}"
    return key.removeprefix("policy.").replace("_", " ")


def unit_label(unit: str, lang: Lang = DEFAULT_LANG) -> str:
    """A schema unit in ``lang`` (unknown units as written in the schema)."""
    return UNITS[unit](lang) if unit in UNITS else unit


def node_label(name: str, lang: Lang = DEFAULT_LANG) -> str:
    """A talent-flow node in ``lang``; ``X_elsewhere`` is X outside the city."""
    if name in NODES:
        return NODES[name](lang)
    if name.endswith("_elsewhere"):
        return M.elsewhere(lang, what=node_label(name.removesuffix("_elsewhere"), lang))
    return name.replace("_", " ")


def scenario_label(name: str, lang: Lang = DEFAULT_LANG) -> str:
    """A shipped scenario's name in ``lang``; any other scenario keeps its own name."""
    return SCENARIOS[name](lang) if name in SCENARIOS else name


class M:
    """Messages, titles and headers of the report and the dashboard."""

    # --- shared
    year = Text("year", "年份")
    start_year = Text("start year", "起始年份")
    scenario = Text("scenario", "情景")
    outcome = Text("outcome", "指标")
    baseline = Text("baseline", "基准")
    elsewhere = Text("{what} elsewhere", "外地{what}")
    all_runs = Text("all runs", "全部运行")
    median = Text("median", "中位数")
    mean = Text("mean", "均值")
    percent = Text("%", "%")
    pp = Text("pp", "个百分点")
    per_year = Text("/yr", "/年")
    no_difference = Text("no detectable difference", "无可检测差异")
    no_difference_long = Text(
        "no detectable difference: the 95 % interval {interval} includes zero",
        "无可检测差异：95% 区间 {interval} 包含零",
    )
    better = Text("better than the baseline", "优于基准")
    worse = Text("worse than the baseline", "劣于基准")
    pair_corr = Text("pair correlation ρ", "配对相关系数 ρ")
    language = Text("Language", "语言")
    download_png = Text("PNG", "PNG")
    download_svg = Text("SVG", "SVG")
    download_csv = Text("CSV", "CSV")
    # --- report
    report_title = Text("talentsim study report", "talentsim 研究报告")
    report_page_title = Text("talentsim study: {name}", "talentsim 研究：{name}")
    meta_dataset = Text("dataset {path}", "数据集 {path}")
    meta_design = Text(
        "design {kind}, {points} design points × {replications} replications",
        "设计 {kind}，{points} 个设计点 × {replications} 次重复",
    )
    meta_runs = Text("{ok} of {total} runs succeeded", "{total} 次运行中 {ok} 次成功")
    meta_years = Text("years {first}–{last}", "年份 {first}–{last}")
    meta_commit = Text("model commit {commit}", "模型版本 {commit}")
    meta_written = Text("report written {when}", "报告生成于 {when}")
    paired_intro = Text(
        "Differences are paired by replication (common random numbers) against the baseline "
        "scenario <b>{baseline}</b>; intervals are 95 % Student-t intervals across "
        "replications. A difference whose interval includes zero is reported as “no "
        "detectable difference”: seed noise could explain it.",
        "各情景与基准情景 <b>{baseline}</b> 按重复次数配对比较（共同随机数）；区间为各次重复"
        "间的 95% t 区间。区间包含零的差异记为“无可检测差异”：随机种子的噪声即可解释。",
    )
    headline = Text("Headline", "主要结果")
    headline_intro = Text(
        "Each cell: the scenario's mean [95 % interval across replications]; below it the "
        "paired difference from the baseline [95 % interval] and the pair correlation ρ of the "
        "horizon means (pairing narrows the interval only when ρ is clearly positive). Green: "
        "better than the baseline, red: worse (for mismatch and cost, lower is better).",
        "每格：该情景均值 [各次重复间 95% 区间]；其下为与基准的配对差异 [95% 区间] 及模拟期"
        "平均值的配对相关系数 ρ（ρ 明显为正时配对才能缩窄区间）。绿色：优于基准；红色：劣于"
        "基准（错配与成本越低越好）。",
    )
    horizon_mean = Text("Mean over the horizon", "模拟期平均")
    final_year = Text("Final year", "末年")
    differences = Text(
        "Difference from “{baseline}” ({statistic}), 95 % paired interval",
        "与“{baseline}”的差异（{statistic}），95% 配对区间",
    )
    over_time = Text("Outcomes over time", "指标随时间变化")
    levels_title = Text(
        "Outcomes over time (mean and 95 % interval across replications)",
        "指标随时间变化（均值及各次重复间 95% 区间）",
    )
    diffs_title = Text(
        "Difference from “{baseline}” over time (paired, 95 % interval)",
        "与“{baseline}”的差异随时间变化（配对，95% 区间）",
    )
    fan_title = Text("Outcomes over time across all runs", "全部运行的指标随时间变化")
    summary_table = Text("Summary table: {statistic}", "汇总表：{statistic}")
    effect_heatmap = Text(
        "Effect over two levers ({statistic}): difference from “{baseline}”",
        "两项政策杠杆的效果（{statistic}）：与“{baseline}”的差异",
    )
    effect_heatmap_note = Text(
        "Cell text: difference ± half-width of its 95 % interval; cells marked ○ are within noise.",
        "格内：差异 ± 95% 区间半宽；标 ○ 的格在噪声范围内。",
    )
    uncertainty_title = Text("Parameter uncertainty", "参数不确定性")
    uncertainty_intro = Text(
        "Replications cross {draws} draws from the calibration's posterior with {seeds} seeds "
        "each, paired across scenarios. The seed-only interval holds the parameters fixed; the "
        "full interval adds the spread of the effect between draws (one-way random effects).",
        "各次重复将校准后验的 {draws} 组参数抽样与每组 {seeds} 个随机种子交叉，并在情景间配对。"
        "“仅种子”区间固定参数；完整区间再计入效果在参数抽样之间的离散（单因素随机效应）。",
    )
    uncertainty_columns = (
        Text("scenario", "情景"),
        Text("outcome", "指标"),
        Text("Δ (horizon mean)", "Δ（模拟期均值）"),
        Text("95 % interval, seeds only", "95% 区间（仅种子）"),
        Text("95 % interval with parameter uncertainty", "95% 区间（含参数不确定性）"),
        Text("parameters' share of the interval's variance", "参数在区间方差中的占比"),
        Text("parameters' share of one run's", "参数在单次运行方差中的占比"),
    )
    cost_title = Text("Cost-effectiveness", "成本效益")
    cost_intro = Text(
        "Extra fiscal cost (summed over the horizon) per unit of gain over the baseline, paired "
        "by replication, with a 95 % bootstrap interval. A ratio is given only where the gain is "
        "significantly positive; “∞” means the gain is too uncertain to bound the cost.",
        "相对基准每单位收益的新增财政支出（模拟期合计），按重复配对，附 95% 自助法区间。仅在收益"
        "显著为正时给出比值；“∞”表示收益不确定，成本无法给出上界。",
    )
    cost_per = Text("cost {unit} of {outcome}", "{outcome}{unit}成本")
    per_pp = Text("per pp", "每个百分点")
    per_unit = Text("per unit", "每单位")
    extra_cost = Text("extra cost", "新增支出")
    every_outcome = Text("Every outcome", "全部指标")
    sensitivity = Text("Sensitivity", "敏感性分析")
    sensitivity_intro = Text(
        "Indices of each run's horizon mean, averaged over a design point's replications.",
        "指标为每次运行的模拟期平均值，先在每个设计点的各次重复间取平均。",
    )
    indices_table = Text("Indices table", "指数表")
    sobol_title = Text(
        "Sobol indices (first order S1, total ST; 95 % bootstrap intervals), {statistic}",
        "Sobol 指数（一阶 S1，总效应 ST；95% 自助法区间），{statistic}",
    )
    morris_title = Text(
        "Morris screening (mu* with 95 % bootstrap interval, sigma), {statistic}",
        "Morris 筛选（mu* 及 95% 自助法区间，sigma），{statistic}",
    )
    index_axis = Text("index (0–1)", "指数（0–1）")
    parameter = Text("lever or uncertainty", "政策杠杆或不确定参数")
    prim_title = Text("Scenario discovery (PRIM)", "情景发现（PRIM）")
    prim_intro = Text(
        "Cases of interest: design points with {rule}. The chosen box (peeling step {step}) "
        "holds {coverage} of the cases; {density} of the points inside it are cases ({mass} of "
        "all points). It restricts:",
        "关注情形：{rule} 的设计点。所选区域（剥离第 {step} 步）覆盖 {coverage} 的情形；区域内 "
        "{density} 的点为关注情形（占全部点的 {mass}）。其限制为：",
    )
    prim_chart = Text("PRIM scenario discovery: {rule}", "PRIM 情景发现：{rule}")
    prim_trajectory = Text("peeling trajectory", "剥离轨迹")
    prim_chosen = Text("chosen box", "所选区域")
    prim_restricted = Text("restricted<br>levers", "受限<br>杠杆数")
    prim_step = Text("step {step}, mass {mass}", "第 {step} 步，质量 {mass}")
    coverage = Text("coverage (share of cases inside the box)", "覆盖率（区域内情形占比）")
    density = Text("density (share of the box that are cases)", "密度（区域内为情形的占比）")
    flows = Text("Talent flows", "人才流动")
    flows_title = Text(
        "Talent flows, persons per year (mean over the horizon and replications)",
        "人才流动，人/年（模拟期与各次重复平均）",
    )
    menu_outcome = Text("outcome", "指标")
    menu_scenario = Text("scenario", "情景")
    note_pairing = Text(
        "Paired runs are weakly correlated (median correlation {corr} of horizon means with the "
        "baseline's run of the same replication): common random numbers narrow the intervals "
        "little here, so differences need more replications.",
        "配对运行相关性弱（模拟期平均值与同一重复的基准运行的中位相关系数为 {corr}）：共同随机数"
        "在此对缩窄区间帮助不大，差异需要更多重复次数。",
    )
    # --- dashboard
    app_title = Text(
        "talentsim · Zibo 淄博 talent supply and demand", "talentsim · 淄博人才供需模拟"
    )
    page_live = Text("Live city", "实时城市")
    page_scenarios = Text("Scenarios", "情景比较")
    page_sweeps = Text("Sweep explorer", "批量实验浏览")
    live_intro = Text(
        "Set the policy levers and their start years, then <b>Step</b> or <b>Play</b> the city "
        "year by year. Changing a lever, the scale or the seed restarts the run; the previous "
        "run stays dashed.",
        "设置政策杠杆及其起始年份，然后<b>单步</b>或<b>播放</b>逐年模拟城市。改变杠杆、规模或"
        "种子会重新开始运行；上一次运行以虚线保留。",
    )
    levers = Text("Levers", "政策杠杆")
    base_scenario = Text("Scenario", "情景")
    scale = Text("Scale (share of persons and firms simulated)", "规模（模拟的人员与企业比例）")
    seed = Text("Seed", "随机种子")
    horizon = Text("Horizon: {years} years", "模拟期：{years} 年")
    play = Text("Play", "播放")
    pause = Text("Pause", "暂停")
    step = Text("Step", "单步")
    reset = Text("Reset", "重置")
    on = Text("on", "开")
    off = Text("off", "关")
    from_start = Text("from the start", "自起始年")
    status_year = Text("Year {year} ({done} of {horizon})", "{year} 年（第 {done} / {horizon} 年）")
    status_not_started = Text(
        "Not started: {horizon} years from {start}", "未开始：自 {start} 年起 {horizon} 年"
    )
    status_scale = Text("scale {scale}", "规模 {scale}")
    status_seed = Text("seed {seed}", "种子 {seed}")
    status_model = Text("model {rate} years/s", "模型 {rate} 年/秒")
    status_playing = Text("playing at {rate} years/s", "播放 {rate} 年/秒")
    previous_run = Text("previous run", "上一次运行")
    this_run = Text("this run", "本次运行")
    no_flows = Text("No flows yet: press Step or Play.", "尚无流动：请按单步或播放。")
    flows_year = Text(
        "Where people went in {year} (persons, city scale)", "{year} 年人员去向（人，全市规模）"
    )
    builder = Text("Scenario file", "情景文件")
    builder_name = Text("Scenario name", "情景名称")
    builder_download = Text("Download scenario YAML", "下载情景 YAML")
    builder_note = Text(
        "A scenario file with these levers that <code>talentsim validate</code> accepts; "
        "the link below restores them on this page.",
        "包含当前杠杆设置的情景文件，可通过 <code>talentsim validate</code> 校验；下方链接可在本"
        "页恢复这些设置。",
    )
    share_link = Text("Shareable link", "分享链接")
    scenario_folder = Text("Scenario folder (in a results root)", "情景文件夹（结果目录内）")
    add = Text("Add", "添加")
    scenarios_found = Text("{n} scenario files in {folder}", "{folder} 中有 {n} 个情景文件")
    scenarios_intro = Text(
        "Outcomes over time: lines are means across replications, bands their 95 % interval. "
        "Below, each scenario minus the baseline, paired by replication (same seeds in every "
        "scenario), for the mean over the horizon: one panel per outcome.",
        "指标随时间变化：线为各次重复的均值，带为其 95% 区间。下方为各情景减去基准的配对差异"
        "（各情景使用相同种子），按模拟期平均，每个指标一个面板。",
    )
    run_here = Text("Run scenarios here", "在此运行情景")
    load_dataset = Text("Load a dataset", "载入数据集")
    run_scenarios = Text("Run scenarios", "运行情景")
    scenarios = Text("Scenarios", "情景")
    replications = Text("Replications: {n}", "重复次数：{n}")
    years = Text("Years: {n}", "年数：{n}")
    scale_short = Text("Scale", "规模")
    run = Text("Run", "运行")
    cancel = Text("Cancel", "取消")
    running = Text("Running: {done} of {total} runs done", "运行中：已完成 {done} / {total} 次")
    cancelled = Text(
        "Cancelled after {done} of {total} runs; showing those.",
        "已在完成 {done} / {total} 次后取消；显示已完成部分。",
    )
    failed_runs = Text("The runs failed: {message}", "运行失败：{message}")
    done_runs = Text("{done} runs done.", "已完成 {done} 次运行。")
    no_roots = Text(
        "No results roots: start with `talentsim dashboard DIR` to load datasets.",
        "未指定结果目录：请用 `talentsim dashboard DIR` 启动以载入数据集。",
    )
    no_datasets = Text("No datasets under {roots}.", "{roots} 下没有数据集。")
    dataset = Text("Dataset", "数据集")
    no_runs = Text("No runs yet: press Run, or load a dataset.", "尚无运行：请按运行或载入数据集。")
    outcome_select = Text("Outcome", "指标")
    baseline_select = Text("Baseline", "基准")
    by_scenario = Text("{outcome} by scenario", "各情景的{outcome}")
    diff_from = Text("{outcome}: difference from {baseline}", "{outcome}：与{baseline}的差异")
    baseline_missing = Text(
        "baseline “{baseline}” is not among the runs", "基准“{baseline}”不在运行中"
    )
    noise_summary = Text(
        "Within noise (no detectable difference from {baseline}): {which}.",
        "在噪声范围内（与{baseline}无可检测差异）：{which}。",
    )
    all_detected = Text("Every difference shown is outside the noise.", "所示差异均超出噪声范围。")
    one_replication = Text(
        "One replication: no interval, so no difference can be told from noise; run at least two.",
        "仅一次重复：无法给出区间，也无法区分差异与噪声；请至少运行两次。",
    )
    explorer_intro = Text(
        "Open a sweep folder written by <code>talentsim sweep</code> (only folders under the "
        "results roots given on the command line can be opened).",
        "打开由 <code>talentsim sweep</code> 生成的实验目录（仅可打开命令行指定的结果目录下的"
        "文件夹）。",
    )
    results_roots = Text("Results roots: {roots}", "结果目录：{roots}")
    sweep_folder = Text("Sweep folder", "实验目录")
    type_path = Text("Or type a folder path", "或输入目录路径")
    open = Text("Open", "打开")
    no_roots_warning = Text(
        "No results roots were given: start the dashboard with `talentsim dashboard DIR`.",
        "未指定结果目录：请用 `talentsim dashboard DIR` 启动仪表板。",
    )
    runs_select = Text("Runs", "运行")
    fan_runs = Text("{outcome} — {name}", "{outcome}——{name}")
    band_legend = Text("{low}–{high} %", "{low}–{high}%")
    heatmap_needs_two = Text(
        "The heatmap needs at least two levers in the dataset.", "热力图需要数据集中至少两项杠杆。"
    )
    front_heading = Text("Policy-search front", "政策搜索前沿")
    front_empty = Text("No feasible candidate: the front is empty.", "没有可行方案：前沿为空。")
    front_candidate = Text("Candidate on the front", "前沿上的方案")
    front_download = Text("Download {name}", "下载 {name}")
    lever_x = Text("Lever on x", "横轴杠杆")
    lever_y = Text("Lever on y", "纵轴杠杆")
    heatmap_title = Text(
        "{outcome}, {statistic}, mean over runs", "{outcome}，{statistic}，各次运行均值"
    )
    sensitivity_of = Text(
        "Sensitivity of {outcome} ({statistic})", "{outcome}的敏感性（{statistic}）"
    )
    sensitivity_unavailable = Text(
        "Sensitivity of {outcome}: {reason}", "{outcome}的敏感性：{reason}"
    )
    runs_heading = Text("Runs: {ok} ok, {failed} failed", "运行：{ok} 次成功，{failed} 次失败")
    runs_failed = Text(
        "{failed} of {total} runs failed; they are listed first with their error.",
        "{total} 次运行中 {failed} 次失败；已列在最前并附错误信息。",
    )
    nothing = Text("Nothing to show yet.", "暂无可显示内容。")
    describe = Text(
        "design {kind} · {runs} runs · {failed} failed · years {first}–{last} · {levers} levers",
        "设计 {kind} · {runs} 次运行 · {failed} 次失败 · 年份 {first}–{last} · {levers} 项杠杆",
    )
    needs_sobol = Text(
        "sensitivity indices need a sobol or morris design; this one is '{kind}'",
        "敏感性指数需要 sobol 或 morris 设计；此设计为 '{kind}'",
    )
    two_levers = Text("choose two different levers for the heatmap", "请为热力图选择两项不同的杠杆")


class Note(str):
    """A note in English (the string itself) that also knows its 中文 wording."""

    zh: str

    def __new__(cls, text: Text, **values: object) -> Note:
        """The note ``text`` with ``values`` filled in, in both languages."""
        note = super().__new__(cls, text("en", **values))
        note.zh = text("zh", **values)
        return note

    def __call__(self, lang: Lang = DEFAULT_LANG) -> str:
        """The note in ``lang``."""
        return self.zh if lang == "zh" else str(self)


class N:
    """Notes of a study: why a part is missing, or what to keep in mind."""

    grid_first_point = Text(
        "Grid design: differences are taken from its first point {first}.",
        "网格设计：差异相对于第一个设计点 {first} 计算。",
    )
    crossed_baseline = Text(
        "Scenarios crossed with levers: the baseline is {baseline!r}.",
        "情景与杠杆交叉：基准为 {baseline!r}。",
    )
    no_cost = Text(
        "No 'fiscal_cost' column: cost-effectiveness left out.",
        "无 'fiscal_cost' 列：未做成本效益分析。",
    )
    no_baseline = Text(
        "No baseline scenario {baseline!r} in this {kind} design: the scenario comparison and "
        "cost-effectiveness are left out (use --baseline NAME).",
        "此 {kind} 设计中没有基准情景 {baseline!r}：未做情景比较与成本效益分析（可用 "
        "--baseline NAME 指定）。",
    )
    no_sensitivity = Text(
        "Sensitivity indices need a sobol or morris design; this one is {kind!r}.",
        "敏感性指数需要 sobol 或 morris 设计；此设计为 {kind!r}。",
    )
    pairing = M.note_pairing
    seed_noise = Text(
        "Seed noise is a large share of the variance between design points for {listed}: their "
        "indices are unreliable; add replications, raise the scale or n.",
        "以下指标设计点间方差中随机种子噪声占比较大：{listed}；其敏感性指数不可靠，请增加重复次数、"
        "提高规模或样本量 n。",
    )
    status = Text(
        "The sweep's manifest says status {status!r}: runs may be missing; rerun the sweep "
        "command to complete it before drawing conclusions.",
        "实验清单状态为 {status!r}：可能缺少运行；请重新运行 sweep 命令补齐后再下结论。",
    )
    failed = Text(
        "{failed} of {total} runs failed and are left out; pairs lose the replication of a "
        "failed run.",
        "{total} 次运行中 {failed} 次失败，已排除；配对比较中相应的重复也被排除。",
    )


COST_NOTES: dict[str, Text] = {
    "gain not significant": Text("gain not significant", "收益不显著"),
    "worse than baseline": Text("worse than baseline", "劣于基准"),
    "too few pairs": Text("too few pairs", "配对过少"),
    "upper bound unbounded": Text("upper bound unbounded", "无上界"),
}
"""Why the cost table gives no ratio (the ``note`` column of cost-effectiveness)."""
GAIN_UNITS: dict[str, Text] = {
    "per unit (horizon total)": Text("per unit (horizon total)", "每单位（模拟期合计）"),
    "per pp (horizon mean)": Text("per pp (horizon mean)", "每个百分点（模拟期平均）"),
    "per unit (horizon mean)": Text("per unit (horizon mean)", "每单位（模拟期平均）"),
}
"""How a gain is counted (the ``unit`` column of cost-effectiveness, see analysis/cost.py)."""

HEADERS: dict[str, Text] = {
    "scenario": M.scenario,
    "outcome": M.outcome,
    "statistic": Text("statistic", "统计量"),
    "n": Text("runs", "运行数"),
    "mean": Text("mean", "均值"),
    "ci_low": Text("95 % low", "95% 下限"),
    "ci_high": Text("95 % high", "95% 上限"),
    "baseline_mean": Text("baseline mean", "基准均值"),
    "n_pairs": Text("pairs", "配对数"),
    "diff": Text("Δ", "差异 Δ"),
    "diff_low": Text("Δ 95 % low", "Δ 95% 下限"),
    "diff_high": Text("Δ 95 % high", "Δ 95% 上限"),
    "diff_pct": Text("Δ % of baseline", "Δ 占基准 %"),
    "pair_corr": M.pair_corr,
    "unit": Text("unit", "单位"),
    "extra_cost": M.extra_cost,
    "gain": Text("gain", "收益"),
    "gain_low": Text("gain 95 % low", "收益 95% 下限"),
    "gain_high": Text("gain 95 % high", "收益 95% 上限"),
    "cost_per_unit": Text("cost per unit", "单位成本"),
    "cost_per_unit_low": Text("95 % low", "95% 下限"),
    "cost_per_unit_high": Text("95 % high", "95% 上限"),
    "note": Text("note", "说明"),
    "parameter": M.parameter,
    "seed_noise_share": Text("seed-noise share", "种子噪声占比"),
    "low": Text("low", "下限"),
    "high": Text("high", "上限"),
    "restricted": Text("restricted", "受限"),
    "run_id": Text("run", "运行"),
    "point_id": Text("design point", "设计点"),
    "replication": Text("replication", "重复"),
    "status": Text("status", "状态"),
    "seconds": Text("seconds", "耗时（秒）"),
    "error": Text("error", "错误"),
}
"""Table column headers of the report and the dashboard."""


def header(column: str, lang: Lang = DEFAULT_LANG) -> str:
    """A table column's header in ``lang`` (lever columns by their label, others as named)."""
    if column in HEADERS:
        return HEADERS[column](lang)
    if column.startswith("policy."):
        return lever_label(column, lang)
    return column
