"""Every sentence the kit's helpers say to a student, in English and in Chinese, from one table.

Why one table: a check cell, a hidden test and a plot label each say the same
things in both languages, and a sentence translated in one place only would
make a Chinese notebook answer in English half the time. ``tests/test_i18n.py``
checks that every entry has both languages with the same ``{fields}``.

The language is, in this order: what :func:`set_language` chose (the grader
sets the course's language from the assignment's config), else ``$KIT_LANG``
(the released notebook's first cell sets it to the notebook's language unless
the student already has it), else English. The Chinese uses one word for each
course term, the course notes' word where they have one: shared/glossary.py lists
them (轮次, 验证集, 精度, 卷积层, 批量归一化, ...), tests/test_glossary.py checks every
sentence against it and autograder/tools/zhcheck.py finds English left in the Chinese.
"""
import os

LANGUAGES = ("en", "zh")
DEFAULT = "en"
ENV = "KIT_LANG"

_chosen = None


def set_language(language):
    """Choose the language for this process (``None`` goes back to ``$KIT_LANG``)."""
    global _chosen
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: use one of {LANGUAGES}")
    _chosen = language


def language():
    """The language messages are written in now (see the module's docstring)."""
    wanted = _chosen or os.environ.get(ENV, "").strip().lower()[:2]
    return wanted if wanted in LANGUAGES else DEFAULT


def msg(_key, /, **fields):
    """The message ``_key`` in the current language, with ``fields`` filled in.

    Why positional-only: a field may be called anything (``key``, ``name``...) without
    clashing with the message's own key; a clash made the compile check raise TypeError
    in every student's feedback whose optimizer or loss was wrong (issue 23).
    """
    return msg_in(language(), _key, **fields)


def msg_in(chosen, _key, /, **fields):
    """The message ``_key`` in the language ``chosen``: the TA's process renders each
    student's feedback in the course's language, whatever its own."""
    try:
        entry = MESSAGES[_key]
    except KeyError:
        raise KeyError(f"no message {_key!r} in shared/i18n.py") from None
    return entry[chosen if chosen in LANGUAGES else DEFAULT].format(**fields)


def has(key):
    return key in MESSAGES


def term(name):
    """A name shown in a table or a plot title (a model variant, a column) in the current
    language: ``term.<name>`` of the catalogue, else ``name`` itself. The notebooks' code
    keeps its English keys (one source for both releases); only what is shown changes."""
    key = f"term.{name}"
    return msg(key) if key in MESSAGES else name


MESSAGES = {
    # --- what every check cell prints -------------------------------------------------
    "all_passed": {
        "en": "All tests passed!",
        "zh": "全部测试通过！"},
    "helpers_at": {  # the release's first cell (autograder/build/release.py), then a folder
        "en": "course helpers:",
        "zh": "课程辅助代码所在的文件夹："},
    "compiled_as_asked": {
        "en": "Compiled as asked.",
        "zh": "已按要求编译。"},
    "graded_beyond": {
        "en": "Beyond this check, the grader also: {what}",
        "zh": "除了这个检查，评分程序还会：{what}"},

    # --- shared/checks.py ---------------------------------------------------------------
    "not_a_model": {
        "en": "{made_by} should return a keras Model, but it returned {kind} ({value}). "
              "Did you forget `return model`?",
        "zh": "{made_by} 应当返回一个 keras 模型（Model），但它返回了 {kind}（{value}）。"
              "是不是忘了写 `return model`？"},
    "returned_not_a_model": {
        "en": "{made_by} should return a keras Model, but it returned {kind}. Did you forget "
              "`return model`?",
        "zh": "{made_by} 应当返回一个 keras 模型（Model），但它返回了 `{kind}`。是不是忘了写 `return model`？"},
    "held_not_a_model": {
        "en": "`{name}` holds {kind}, not a keras Model: set it to the model your builder "
              "returns, then call `{name}.compile(...)` on a line of its own (compile returns "
              "None: `{name} = {name}.compile(...)` loses the model).",
        "zh": "`{name}` 里是 `{kind}`，不是 keras 模型（Model）：请把构建函数返回的模型赋给它，再单独一行调用 "
              "`{name}.compile(...)`（`compile` 返回 None：`{name} = {name}.compile(...)` 会丢掉模型）。"},
    "not_a_function": {
        "en": "{name} is not defined as a function: run its cell first.",
        "zh": "{name} 还没有定义成函数：请先运行定义它的单元格。"},
    "not_implemented": {
        "en": "{call} is not implemented yet: replace `raise NotImplementedError()` with your "
              "code.",
        "zh": "{call} 还没有实现：请用你的代码替换 `raise NotImplementedError()`。"},
    "raised": {
        "en": "{call} raised {kind}: {error}",
        "zh": "{call} 抛出了 {kind}：`{error}`"},
    "parameter_count": {
        "en": "the model has {found:,} parameters, expected {expected:,}",
        "zh": "模型有 {found:,} 个参数，应为 {expected:,} 个"},
    "not_compiled_builder": {
        "en": "{name} is not compiled: call model.compile(optimizer=..., loss=..., metrics=[...]) "
              "inside {builder}, before `return model`",
        "zh": "{name} 还没有编译：请在 {builder} 里、`return model` 之前调用 model.compile(optimizer=..., "
              "loss=..., metrics=[...])"},
    "not_compiled": {
        "en": "{name} is not compiled: call {name}.compile(optimizer=..., loss=..., "
              "metrics=[...]) in the compile cell",
        "zh": "{name} 还没有编译：请在编译单元格里调用 {name}.compile(optimizer=..., loss=..., "
              "metrics=[...])"},
    "compile_setting": {
        "en": "{name} should be compiled with {setting}='{expected}', found '{found}'",
        "zh": "{name} 编译时应使用 {setting}='{expected}'，实际为 '{found}'"},
    "compile_metrics": {
        "en": "{name} should track metrics={expected}, found {found}",
        "zh": "{name} 应跟踪指标 metrics={expected}，实际为 {found}"},

    "undefined_function": {
        "en": "`{name}` is not defined: run the cell that defines it, then its check cell.",
        "zh": "`{name}` 没有定义：请先运行定义它的单元格，再运行它的检查单元格。"},
    "undefined_name": {
        "en": "`{name}` is not defined yet: run the cell that defines it first; if that cell "
              "stopped with an error, fix that error, run it again, then run this cell.",
        "zh": "`{name}` 还没有定义：请先运行定义它的单元格；如果那个单元格报错停止了，请先改正错误并重新运行，"
              "再运行这个单元格。"},
    "undefined_model": {
        "en": "`{name}` is not defined: run the cell that builds it, then the compile cell.",
        "zh": "`{name}` 没有定义：请先运行构建它的单元格，再运行编译单元格。"},
    "no_result": {
        "en": "{name} did not return on the hidden input '{case}' (the notebook may have "
              "stopped before the grader could call it).",
        "zh": "{name} 在隐藏输入 '{case}' 上没有返回（notebook 可能在评分程序调用它之前就停止了）。"},
    "unchecked_result": {
        "en": "it returned a {kind} whose form the grader could not check ({error}); return "
              "what the notebook asks for (see the function's docstring).",
        "zh": "它返回了一个 {kind}，评分程序无法检查它的形式（`{error}`）；请按 notebook 的要求返回"
              "（见函数的文档字符串）。"},

    # --- feedback as the grader renders it (autograder/engine/runner.py) -----------------
    "same_as_above": {
        "en": "the same problem as under “{test}” above.",
        "zh": "与上面“{test}”下的问题相同。"},
    "stopped_before.timeout": {
        "en": "not graded: your notebook ran out of computing time before this could be "
              "checked (see the note at the top).",
        "zh": "未评分：你的 notebook 在检查到这一项之前就用完了计算时间（见顶部的说明）。"},
    "stopped_before.crashed": {
        "en": "not graded: your notebook stopped before this could be checked (see the note "
              "at the top).",
        "zh": "未评分：你的 notebook 在检查到这一项之前就停止了（见顶部的说明）。"},
    "unreadable_notebook": {
        "en": "Your notebook could not be graded. {reason}.",
        "zh": "你的 notebook 无法评分。{reason}。"},
    "test.over_limit": {
        "en": "this test used more than {seconds} s of computing time: is the model much "
              "larger than the notebook asks?",
        "zh": "这个测试用了超过 {seconds} 秒的计算时间：模型是否比 notebook 要求的大得多？"},
    "test.stopped_grader": {
        "en": "this test stopped the grader ({failure}); the other tests were graded without "
              "it. If it repeats, the kit's maintainers need the grader's log",
        "zh": "这个测试使评分程序停止了（`{failure}`）；其他测试在没有它的情况下完成了评分。"
              "如果再次出现，请把评分程序的日志交给课程工具的维护者"},
    "grader_stopped": {
        "en": "The grader stopped on its side after {done} test(s), not because of your "
              "code: the points of those are kept, and your notebook will be graded again.",
        "zh": "评分程序在完成 {done} 个测试后自身出错停止，并非你的代码造成：这些测试的分数会保留，"
              "你的 notebook 会被重新评分。"},
    "status.in_cell": {
        "en": "in code cell {cell} of the {total} that run at grading",
        "zh": "在评分时运行的 {total} 个代码单元格中的第 {cell} 个"},
    "status.before_first_cell": {
        "en": "before the first cell finished",
        "zh": "在第一个单元格运行完之前"},
    "status.record_lost": {
        "en": "after a cell removed or replaced the grader's record of the cells run (in the "
              "`artifacts` folder)",
        "zh": "在某个单元格删除或替换了评分程序记录运行进度的文件（`artifacts` 文件夹）之后"},
    "status.timeout": {
        "en": "stopped after {seconds} s of computing time {where}: does a cell or a graded "
              "function loop forever, or train a model? Grading skips the cells tagged "
              "`otter_ignore` (training, plots); give a training cell of your own that tag "
              "too. Points earned so far are kept.",
        "zh": "用完 {seconds} 秒的计算时间后停止，{where}：是不是有单元格或需要评分的函数陷入了死循环，"
              "或者在训练模型？评分时会跳过带 `otter_ignore` 标签的单元格（训练、画图）；"
              "你自己加的训练单元格也请加上这个标签。已经得到的分数会保留。"},
    "status.out_of_memory": {
        "en": "code cell {cell} of {total} ran out of memory and kept it (removing the data it "
              "bound did not free it), so the later cells were not run. Points earned so far "
              "are kept.",
        "zh": "第 {cell} 个代码单元格（共 {total} 个）耗尽了内存且没有释放（删除它绑定的数据后内存仍未释放），"
              "所以后面的单元格没有运行。已经得到的分数会保留。"},
    "status.crashed": {
        "en": "the notebook stopped {where} ({how}): a cell may call os._exit, exhaust memory "
              "or crash a native library. Points earned so far are kept.",
        "zh": "notebook 停止了，{where}（{how}）：可能有单元格调用了 os._exit、耗尽了内存，"
              "或者让某个本地库崩溃了。已经得到的分数会保留。"},
    "status.signal": {"en": "killed by signal {signal}", "zh": "被信号 {signal} 终止"},
    "status.exit_code": {"en": "exit code {code}", "zh": "退出码 {code}"},
    "status.memory_dropped": {
        "en": "a code cell ran out of memory: the data it bound was removed (its functions "
              "kept) and the later cells ran without it.",
        "zh": "有一个代码单元格耗尽了内存：它绑定的数据已被删除（保留了它定义的函数），后面的单元格在没有这些数据的情况下运行。"},

    # --- shared/summary.py: layer tables ------------------------------------------------
    "layer_none": {"en": "nothing", "zh": "无"},
    "layer_type": {
        "en": "layer {index}: expected {expected}, found {found} (expected row {expected_row}, "
              "found {found_row})",
        "zh": "第 {index} 层：应为 {expected}，实际为 {found}（应为 {expected_row}，"
              "实际为 {found_row}）"},
    "layer_setting": {
        "en": "layer {index} ({layer}): {what}{gap}should be {expected!r}, found {found!r} "
              "(expected row {expected_row}, found {found_row})",
        "zh": "第 {index} 层（{layer}）：{what}{gap}应为 {expected!r}，实际为 {found!r}"
              "（应为 {expected_row}，实际为 {found_row}）"},
    "layer_row": {
        "en": "layer {index} ({layer}): expected row {expected_row}, found {found_row}",
        "zh": "第 {index} 层（{layer}）：应为 {expected_row}，实际为 {found_row}"},
    "functional_not_sequential": {
        "en": "the model is a functional keras.Model (its first row is its InputLayer), where "
              "the table is that of a keras.Sequential: build it with keras.Sequential([...]) "
              "as the notebook asks",
        "zh": "这个模型是函数式的 keras.Model（第一行是它的 InputLayer），而表格是 keras.Sequential 的："
              "请按 notebook 的要求用 keras.Sequential([...]) 构建它"},
    "sequential_not_functional": {
        "en": "the model is a keras.Sequential (it has no InputLayer row), where the table is "
              "that of a functional keras.Model: build it with the functional API as the "
              "notebook asks (x = layer(x) from keras.Input, then keras.Model(inputs, outputs))",
        "zh": "这个模型是 keras.Sequential（没有 InputLayer 这一行），而表格是函数式 keras.Model 的："
              "请按 notebook 的要求用函数式 API 构建它（从 keras.Input 开始 `x = layer(x)`，再 "
              "`keras.Model(inputs, outputs)`）"},
    "layer_missing": {
        "en": "layer {index} ({layer}) is missing (expected row {expected_row})",
        "zh": "缺少第 {index} 层（{layer}）（应为 {expected_row}）"},
    "layer_extra": {
        "en": "layer {position} of your model ({layer}) is extra: the table has no such "
              "layer there (found row {found_row})",
        "zh": "你的模型的第 {position} 层（{layer}）是多余的：表格中这里没有这一层"
              "（实际为 {found_row}）"},
    "layers_count": {
        "en": "the model has {found} layers, expected {expected}",
        "zh": "模型有 {found} 层，应为 {expected} 层"},
    "more_differences": {
        "en": " (and {count} more difference(s))",
        "zh": "（另外还有 {count} 处不同）"},
    "setting_setting": {
        "en": "setting #{number}",
        "zh": "第 {number} 项设置"},
    # The names of a row's entries (shared.summary.SETTINGS), as a message says them.
    "field.type": {"en": "type", "zh": "层的类型"},
    "field.output shape": {"en": "output shape", "zh": "输出形状"},
    "field.parameter count": {"en": "parameter count", "zh": "参数数量"},
    "field.padding": {"en": "padding", "zh": "填充方式（padding）"},
    "field.activation": {"en": "activation", "zh": "激活函数"},
    "field.kernel initializer": {"en": "kernel initializer", "zh": "卷积核初始化方法"},
    "field.pool size": {"en": "pool size", "zh": "池化窗口大小（pool size）"},
    "field.strides": {"en": "strides", "zh": "步幅（strides）"},
    "field.rate": {"en": "rate", "zh": "dropout 比率（rate）"},
    "field.axis": {"en": "axis", "zh": "批量归一化的轴（axis）"},
    "field.units": {"en": "units", "zh": "单元数（units）"},
    "field.return_sequences": {"en": "return_sequences", "zh": "return_sequences"},
    "field.dropout": {"en": "dropout", "zh": "dropout"},
    "field.recurrent_dropout": {"en": "recurrent_dropout", "zh": "recurrent_dropout"},
    "field.wrapped layer": {"en": "wrapped layer", "zh": "被包装的层"},

    # --- shared/plots.py ----------------------------------------------------------------
    "plot.epoch": {"en": "epoch", "zh": "轮次（epoch）"},
    "plot.train": {"en": "train", "zh": "训练集"},
    "plot.validation": {"en": "validation", "zh": "验证集"},
    "plot.loss": {"en": "loss", "zh": "损失"},
    "plot.accuracy": {"en": "accuracy", "zh": "精度"},
    "plot.mae": {"en": "mae", "zh": "平均绝对误差（MAE）"},
    "plot.no_cjk_font": {
        "en": "",
        "zh": "（这台机器上没有中文字体，图中的文字改用英文。安装一个即可显示中文，例如 Debian/Ubuntu "
              "与 Colab 上运行 `!apt-get -qq install fonts-noto-cjk`，然后重新运行本单元格。）"},

    "plot.learning_rate": {"en": "learning rate", "zh": "学习率"},
    "plot.time": {"en": "Time", "zh": "时间（天）"},
    "plot.value": {"en": "Value", "zh": "值"},
    "plot.series": {"en": "series", "zh": "序列"},
    "plot.forecast": {"en": "forecast", "zh": "预测"},
    "plot.temperature": {"en": "temperature (degC)", "zh": "气温（°C）"},
    "plot.first_10_days": {"en": "the first 10 days", "zh": "前 10 天"},
    "plot.title": {"en": "{title}: {what}", "zh": "{title}：{what}"},

    # --- what the notebooks' own cells print (not graded) -------------------------------
    "nb.reviews": {
        "en": "{train} training reviews, {test} test reviews",
        "zh": "训练影评 {train} 条，测试影评 {test} 条"},
    "nb.first_review": {
        "en": "first review: {start} ... label {label}",
        "zh": "第一条影评：{start} …… 标签 {label}"},
    "nb.largest_index": {
        "en": "largest word index: {index}",
        "zh": "最大的词索引：{index}"},
    "nb.test_accuracy": {
        "en": "test accuracy {accuracy:.3f}",
        "zh": "测试集精度 {accuracy:.3f}"},
    "nb.first_probabilities": {
        "en": "probabilities of the first test reviews: {values}",
        "zh": "前几条测试影评是正面评价的概率：{values}"},
    "nb.newswires": {
        "en": "{train} training newswires, {test} test newswires",
        "zh": "训练新闻 {train} 条，测试新闻 {test} 条"},
    "nb.test_accuracy_after": {
        "en": "test accuracy after {epochs} epochs: {accuracy:.3f}",
        "zh": "训练 {epochs} 个轮次后的测试集精度：{accuracy:.3f}"},
    "nb.random_baseline": {
        "en": "random baseline: {accuracy:.3f}",
        "zh": "随机基准：{accuracy:.3f}"},
    "nb.predicted_topic": {
        "en": "predicted topic of the first test newswire: {topic}",
        "zh": "第一条测试新闻的预测主题：{topic}"},
    "nb.bottleneck_accuracy": {
        "en": "validation accuracy with a 4-unit layer: {accuracy:.3f}",
        "zh": "中间层只有 4 个单元时的验证集精度：{accuracy:.3f}"},
    "nb.days": {
        "en": "{train} training days, {valid} validation days",
        "zh": "训练集 {train} 天，验证集 {valid} 天"},
    "nb.forecast_mae": {
        "en": "validation MAE {mae:.2f}, naive forecast {naive:.2f}",
        "zh": "验证集上的平均绝对误差（MAE）{mae:.2f}，朴素预测 {naive:.2f}"},
    "nb.variant_mae": {
        "en": "{name}: validation MAE {mae:.2f}",
        "zh": "{name}：验证集上的平均绝对误差（MAE）{mae:.2f}"},
    "nb.naive_mae": {
        "en": "naive MAE {mae:.3f} = {celsius:.2f} degC",
        "zh": "朴素方法的平均绝对误差（MAE）{mae:.3f}，即 {celsius:.2f} °C"},
    "nb.weather_shapes": {
        "en": "{rows:,} rows of {columns} measurements: {names}",
        "zh": "共 {rows:,} 行，每行 {columns} 种测量值（CSV 文件的列名）：`{names}`"},
    "nb.batch_shape": {
        "en": "one batch of samples: {shape} (samples, time steps, measurements)",
        "zh": "一个批量的样本：{shape}（样本数、时间步数、测量值个数）"},

    # --- names shown in tables and plot titles (shared.i18n.term) -------------------------
    "term.mse loss": {"en": "mse loss", "zh": "损失函数改为 mse"},
    "term.3 BiLSTM layers": {"en": "3 BiLSTM layers", "zh": "3 个双向 LSTM 层"},
    "term.naive baseline": {"en": "naive baseline", "zh": "基于常识的基准方法"},
    "term.dense": {"en": "dense", "zh": "密集连接网络"},
    "term.GRU + dropout": {"en": "GRU + dropout", "zh": "GRU 加 dropout"},
    "term.stacked GRUs": {"en": "stacked GRUs", "zh": "堆叠的 GRU"},
    "term.GRU, reversed input": {"en": "GRU, reversed input", "zh": "GRU，反向输入"},
    "term.bidirectional GRU": {"en": "bidirectional GRU", "zh": "双向 GRU"},
    "term.validation MAE": {"en": "validation MAE", "zh": "验证集 MAE"},
    "term.degC": {"en": "degC", "zh": "误差（°C）"},
    "term.reuters: 32 units": {"en": "reuters: 32 units", "zh": "路透社：32 个单元"},
    "term.reuters: 64 units": {"en": "reuters: 64 units", "zh": "路透社：64 个单元"},
    "term.reuters: 128 units": {"en": "reuters: 128 units", "zh": "路透社：128 个单元"},
    "term.reuters: 1 layer": {"en": "reuters: 1 layer", "zh": "路透社：1 个隐藏层"},
    "term.reuters: 3 layers": {"en": "reuters: 3 layers", "zh": "路透社：3 个隐藏层"},
    "term.imdb: 1 layer": {"en": "imdb: 1 layer", "zh": "IMDB：1 个隐藏层"},
    "term.imdb: 3 layers": {"en": "imdb: 3 layers", "zh": "IMDB：3 个隐藏层"},
    "term.imdb: 32 units": {"en": "imdb: 32 units", "zh": "IMDB：32 个单元"},
    "term.imdb: 64 units": {"en": "imdb: 64 units", "zh": "IMDB：64 个单元"},
    "term.imdb: mse loss": {"en": "imdb: mse loss", "zh": "IMDB：损失函数改为 mse"},
    "term.imdb: tanh": {"en": "imdb: tanh", "zh": "IMDB：激活函数改为 tanh"},

    # --- late work (autograder/course.py): the note beside a late submission's points ------
    "late.extended": {"en": " (extended to {due})", "zh": "（已延期至 {due}）"},
    "late.after_last": {
        "en": "submitted {submitted}, after the last accepted time {last}{extended}: no points "
              "(100%)",
        "zh": "提交于 {submitted}，晚于最后接收时间 {last}{extended}：不得分（扣 100%）"},
    "late.within_grace": {
        "en": "late by {late}, within the {grace} grace period: no penalty",
        "zh": "迟交 {late}，在 {grace} 的宽限期内：不扣分"},
    "late.no_penalty": {
        "en": "late by {late}{extended}; the policy has no penalty",
        "zh": "迟交 {late}{extended}；本作业的迟交规定不扣分"},
    "late.penalty": {
        "en": "late by {late} after {due}{extended}: {started} × {percent:g}% = {raw:g}%{capped}",
        "zh": "在截止时间 {due}{extended} 之后迟交 {late}：{started} × {percent:g}% = {raw:g}%{capped}"},
    "late.capped": {"en": ", capped at {penalty:g}%", "zh": "，按上限只扣 {penalty:g}%"},
    "late.started_day": {"en": "{count} started day", "zh": "不足一天按一天计，共 {count} 天"},
    "late.started_days": {"en": "{count} started days", "zh": "不足一天按一天计，共 {count} 天"},
    "late.started_hour": {"en": "{count} started hour", "zh": "不足一小时按一小时计，共 {count} 小时"},
    "late.started_hours": {"en": "{count} started hours", "zh": "不足一小时按一小时计，共 {count} 小时"},
    "late.days": {"en": "{count} d", "zh": "{count} 天"},
    "late.hours": {"en": "{count} h", "zh": "{count} 小时"},
    "late.minutes": {"en": "{count} min", "zh": "{count} 分钟"},

    # --- a student's feedback page (autograder/engine/report.py, feedback.html.j2) ---------
    "fb.heading": {"en": "{title}: feedback for {student}", "zh": "{title}：{student} 的反馈"},
    "fb.missing": {
        "en": "Status: **missing**. No submission was received: 0 points.",
        "zh": "状态：**未提交**。没有收到提交：0 分。"},
    "fb.status": {
        "en": "Status: **{status}**. Score: **{score}** points.",
        "zh": "状态：**{status}**。得分：**{score}** 分。"},
    "fb.late": {
        "en": "Late: {note}. Final: **{final}** points after the {penalty}% penalty.",
        "zh": "迟交：{note}。扣除 {penalty}% 之后的最终得分：**{final}** 分。"},
    "fb.question": {"en": "{name}: {score} points", "zh": "{name}：{score} 分"},
    "fb.question_of": {"en": "{name}: {score} of {max} points", "zh": "{name}：{score} 分（满分 {max} 分）"},
    "fb.hand": {
        "en": "{title} (graded by hand): {points} of {max}",
        "zh": "{title}（人工评分）：{points}（满分 {max} 分）"},
    "fb.not_graded": {"en": "not graded yet", "zh": "尚未评分"},
    "fb.points": {"en": "{points} points", "zh": "{points} 分"},
    "fb.case_points": {"en": " ({points} point)", "zh": "（{points} 分）"},
    "fb.case_points_many": {"en": " ({points} points)", "zh": "（{points} 分）"},
    "fb.given": {"en": "given", "zh": "已给分"},
    "fb.not_given": {"en": "not given", "zh": "未给分"},
    "fb.free_points": {"en": "free points", "zh": "额外加减分"},
    "fb.rubric_item": {"en": "rubric item", "zh": "评分细则"},
    "fb.test": {"en": "test", "zh": "测试"},
    "fb.passed": {"en": "passed", "zh": "通过"},
    "fb.score_label": {"en": "points", "zh": "得分"},
    "fb.submitted": {"en": "Submitted {when}", "zh": "提交时间 {when}"},
    "fb.time_lms": {"en": "time from the LMS", "zh": "时间取自教学平台"},
    "fb.time_file": {"en": "time from the file", "zh": "时间取自文件"},
    "fb.final": {
        "en": "Final after the late penalty: {final} points.",
        "zh": "扣除迟交罚分后的最终得分：{final} 分。"},
    "fb.penalty": {"en": "Penalty {penalty}%.", "zh": "扣分 {penalty}%。"},
    "fb.status.graded": {"en": "graded", "zh": "已评分"},
    "fb.status.missing": {"en": "missing", "zh": "未提交"},
    "fb.status.invalid": {"en": "invalid", "zh": "无法评分"},
    "fb.status.timeout": {"en": "timeout", "zh": "超时"},
    "fb.status.error": {"en": "error", "zh": "出错"},
    "fb.status.crashed": {"en": "crashed", "zh": "运行崩溃"},
    "export.points": {"en": "{final}/{max} points", "zh": "{final}/{max} 分"},
    "export.before_penalty": {
        "en": " ({total} before a {penalty}% late penalty)",
        "zh": "（扣除 {penalty}% 迟交罚分之前为 {total} 分）"},
    "export.missing": {"en": "no submission: 0 points", "zh": "未提交：0 分"},
    "export.status": {"en": "; status {status}", "zh": "；状态：{status}"},
    "export.attached": {
        "en": "; details in the attached feedback file.",
        "zh": "；详情见附带的反馈文件。"},
    # The labels carry their own space: the English one after the colon, none after "："
    "fb.label.status": {"en": "Status: ", "zh": "状态："},
    "fb.label.score": {"en": "Score: ", "zh": "得分："},
    "fb.label.late": {"en": "Late: ", "zh": "迟交："},
    # One sentence each, the score where {total} is (the page makes it bold)
    "fb.score_of": {"en": "{total} of {max} points", "zh": "{total} 分（满分 {max} 分）"},
    "fb.score": {"en": "{total} points", "zh": "{total} 分"},
    "fb.stop": {"en": ".", "zh": "。"},
    "fb.hand_html": {
        "en": "{title} (graded by hand): {points} of {max} points",
        "zh": "{title}（人工评分）：{points}（满分 {max} 分）"},

    # --- the data loaders (shared/data.py, text_data.py, jena_data.py) --------------------
    "data.write_in_kit": {
        "en": "run `make data`",
        "zh": "运行 `make data`"},
    "data.write_in_notebook": {
        "en": "run `import shared.data; shared.data.write_all_synthetic()` in a code cell",
        "zh": "在一个代码单元格里运行 `import shared.data; shared.data.write_all_synthetic()`"},
    "data.source.real": {"en": "real", "zh": "真实"},
    "data.source.synthetic": {"en": "synthetic", "zh": "合成"},
    "data.source.mixed": {"en": "mixed real and synthetic", "zh": "真实与合成混合的"},
    "data.images_not_found": {
        "en": "{files} not found in {folder}{note}; using the synthetic stand-in (to keep it "
              "on disk, {how}).",
        "zh": "在 `{folder}` 中没有找到 {files}{note}，改用合成替代数据（想把它保存到磁盘上，请{how}）。"},
    "data.lone_split": {
        "en": " ({name} alone is not enough and was not used)",
        "zh": "（只有 {name} 不够，没有使用它）"},
    "data.images": {
        "en": "{name}: {source} data, {n_train} training and {n_test} test images of "
              "{height} x {width} pixels with {channels} channels, classes {classes}",
        "zh": "{name}：{source}数据，训练图片 {n_train} 张、测试图片 {n_test} 张，"
              "每张 {height} x {width} 像素、{channels} 个通道，类别 {classes}"},
    "data.lone_split_kept": {
        "en": "{path} is there without its other split: not writing a synthetic partner "
              "beside it. Add the missing real file, or move it away.",
        "zh": "{path} 存在，但缺少另一半数据集：不会在它旁边写入合成的另一半。请补上缺少的真实文件，"
              "或者把它移走。"},
    "data.wrote": {
        "en": "wrote {path} (synthetic)",
        "zh": "已写入 {path}（合成数据）"},
    "data.bad_file": {
        "en": "{where}: {problem}. Replace it with the course's original {file}, or delete it "
              "and {how} for the synthetic stand-in.",
        "zh": "{where}：{problem}。请换成课程原始的 {file}，或者删除它，然后{how}来得到合成替代数据。"},
    "jena.fields": {
        "en": "expected {expected} comma-separated fields, found {found}",
        "zh": "应有 {expected} 个逗号分隔的字段，实际有 {found} 个"},
    "jena.not_a_date": {
        "en": "{column} {text} is not a dd.mm.yyyy HH:MM:SS date",
        "zh": "{column} 列的 {text} 不是 dd.mm.yyyy HH:MM:SS 格式的日期"},
    "jena.not_a_number": {
        "en": "{column} {text} is not a number",
        "zh": "{column} 列的 {text} 不是数"},
    "jena.unreadable_row": {"en": "unreadable row", "zh": "无法读取这一行"},
    "jena.not_readable": {"en": "not readable ({error})", "zh": "无法读取（`{error}`）"},
    "jena.header": {
        "en": "expected the header {expected}, found {found}",
        "zh": "表头应为 {expected}，实际为 {found}"},
    "jena.not_text": {
        "en": "not a readable CSV text file ({error})",
        "zh": "不是可读取的 CSV 文本文件（`{error}`）"},
    "jena.no_rows": {"en": "no data rows after the header", "zh": "表头之后没有数据行"},
    "jena.days": {
        "en": "days must be a positive whole number of days, got {days}",
        "zh": "`days` 必须是正整数（天数），实际为 {days}"},
    "jena.normalise_rows": {
        "en": "normalise needs at least train_rows={train_rows:,} rows to fit on, got {rows:,}; "
              "pass a smaller train_rows",
        "zh": "`normalise` 至少需要 train_rows={train_rows:,} 行来计算均值和标准差，实际只有 {rows:,} 行；"
              "请传入更小的 train_rows"},
    "jena.no_rows_to_evaluate": {
        "en": "no rows to evaluate: need min_index + lookback < max_index and max_index - 1 + "
              "delay < {rows:,} rows, got min_index={min_index}, max_index={max_index}, "
              "lookback={lookback}, delay={delay}",
        "zh": "没有可以评估的行：需要 `min_index + lookback < max_index` 且 "
              "`max_index - 1 + delay < {rows:,}`（数据的行数），实际为 min_index={min_index}、"
              "max_index={max_index}、lookback={lookback}、delay={delay}"},
    "data.h5_missing_keys": {
        "en": "missing dataset(s) {missing}; found {found}",
        "zh": "缺少数据集 {missing}；文件里只有 {found}"},
    "data.h5_unreadable": {
        "en": "not a readable HDF5 file ({error})",
        "zh": "不是可读取的 HDF5 文件（`{error}`）"},
    "data.h5_layout": {
        "en": "expected uint8 images of shape (N, 64, 64, 3) and N labels, found {dtype} "
              "{shape} and {labels} labels",
        "zh": "应为形状 (N, 64, 64, 3) 的 uint8 图片和 N 个标签，实际为 {dtype} {shape} 和 {labels} 个标签"},
    "data.text_real": {
        "en": "{name}: real Keras file {path}",
        "zh": "{name}：真实的 Keras 文件 {path}"},
    "data.text_synthetic_file": {
        "en": "{name}: synthetic stand-in ({path}, written by the course helpers)",
        "zh": "{name}：合成替代数据（{path}，由课程辅助代码写入）"},
    "data.text_synthetic_memory": {
        "en": "{name}: synthetic stand-in (generated in memory; to keep it in {path}, {how})",
        "zh": "{name}：合成替代数据（在内存中生成；想把它保存到 {path}，请{how}）"},
    "data.word_index": {"en": "{name} word index", "zh": "{name} 词索引"},
    "data.with_note": {"en": "{text}; note: {note}", "zh": "{text}；注意：{note}"},
    "data.at_line": {"en": "{path}, line {line}", "zh": "{path} 第 {line} 行"},
    "data.jena_real": {
        "en": "Jena climate: real file, {rows:,} rows from {first} to {last} ({path})",
        "zh": "耶拿气候数据：真实文件，共 {rows:,} 行，从 {first} 到 {last}（{path}）"},
    "data.jena_synthetic_file": {
        "en": "Jena climate: synthetic stand-in, {rows:,} rows from {first} to {last} ({path}, "
              "written by the course helpers)",
        "zh": "耶拿气候数据：合成替代数据，共 {rows:,} 行，从 {first} 到 {last}（{path}，由课程辅助代码写入）"},
    "data.jena_synthetic_memory": {
        "en": "Jena climate: synthetic stand-in, {rows:,} rows from {first} to {last} "
              "(generated in memory; to keep it in {path}, {how})",
        "zh": "耶拿气候数据：合成替代数据，共 {rows:,} 行，从 {first} 到 {last}"
              "（在内存中生成；想把它保存到 {path}，请{how}）"},
    "data.jena_stale_sidecar": {
        "en": "its sidecar {sidecar} is stale (written for a {size:,}-byte file) and was ignored",
        "zh": "它的说明文件 {sidecar} 已过期（是为一个 {size:,} 字节的文件写的），已忽略"},

    # --- check cells of the notebooks ---------------------------------------------------
    "check.dtype_float32": {
        "en": "dtype should be float32, found {found}",
        "zh": "dtype 应为 float32，实际为 {found}"},
    "check.tie_earlier": {
        "en": "on a tie, the earlier epoch",
        "zh": "验证损失相同时，取较早的轮次"},
    "check.label_after_window": {
        "en": "each label is the value right after its window",
        "zh": "每个标签都是窗口之后紧接着的那个值"},
    "check.every_window_once": {
        "en": "every window exactly once",
        "zh": "每个窗口恰好出现一次"},
    "check.wrap_around": {
        "en": "wrap around to min_index + lookback",
        "zh": "应从 min_index + lookback 重新开始"},

    # --- what the hidden tests examine beyond each public check (printed after it passes) --
    "graded.decode_review": {
        "en": "decodes longer hidden reviews with a larger word index, where some indices "
              "(the reserved 0, 1, 2 and ones past the index) have no word.",
        "zh": "用更大的词索引解码更长的隐藏影评，其中有些索引（保留的 0、1、2 以及超出词索引的）没有对应的词。"},
    "graded.vectorize_sequences": {
        "en": "calls it without `dimension` (the default 10000, with index 9999), and with "
              "repeated indices, an empty review and a dimension of 4.",
        "zh": "不传 `dimension` 调用它（默认 10000，并含索引 9999），还会用重复的索引、空评论和维度 4 来调用。"},
    "graded.to_one_hot": {
        "en": "calls it with a dimension other than 46 (`to_one_hot(labels, 3)`), without one, "
              "and with labels that never reach dimension - 1 (the shape must still have "
              "`dimension` columns), and checks float32 and the shape each time.",
        "zh": "用 46 以外的维度（`to_one_hot(labels, 3)`）、不传维度，以及标签都达不到 dimension - 1 的情况"
              "（形状仍须有 `dimension` 列）来调用，每次都检查 float32 和形状。"},
    "graded.build_imdb_model": {
        "en": "checks the compile settings above (they are points too), and trains a fresh "
              "copy for a short fixed budget on hidden reviews: it must reach a test accuracy "
              "close to the reference solution's.",
        "zh": "检查上面的编译设置（也计分），并在隐藏的影评上按固定的小训练预算训练一个新模型：测试集精度要接近参考答案的精度。"},
    "graded.build_reuters_model": {
        "en": "checks the compile settings above (they are points too), and trains a fresh "
              "copy for a short fixed budget on hidden newswires: it must reach a test "
              "accuracy close to the reference solution's.",
        "zh": "检查上面的编译设置（也计分），并在隐藏的新闻上按固定的小训练预算训练一个新模型：测试集精度要接近参考答案的精度。"},
    "graded.build_model": {
        "en": "builds other variants (3 x 32 tanh and 1 x 64 with mse for IMDB, 2 x 128 for "
              "46 classes), checks their layers and that each is compiled with the loss it is "
              "given (mse too, whatever the output size), and trains "
              "build_model(2, 16, 'relu', 'binary_crossentropy', 1) on hidden reviews.",
        "zh": "构建其他变体（IMDB 的 3 x 32 tanh、1 x 64 加 mse，46 类的 2 x 128），检查它们的层，"
              "以及每个变体都用传入的损失函数编译（包括 mse，与输出大小无关），"
              "并在隐藏的影评上训练 build_model(2, 16, 'relu', 'binary_crossentropy', 1)。"},
    "graded.best_epoch": {
        "en": "tries histories whose best epoch is the first or the last one, a noisy "
              "validation curve and a tie.",
        "zh": "用最佳轮次是第一轮或最后一轮的 history、有噪声的验证损失曲线以及并列的情况来测试。"},
    "graded.results_table": {
        "en": "reads three hidden runs and compares every value of every row (best epoch, "
              "val_loss and val_accuracy at that epoch, test_accuracy).",
        "zh": "读取三个隐藏的实验记录，逐行比较每个值（最佳轮次、该轮次的 val_loss 和 val_accuracy、test_accuracy）。"},
    "graded.happyModel": {
        "en": "counts the parameters (37,633) and trains a fresh copy for a short fixed "
              "budget on hidden Happy House images: it must reach a test accuracy close to "
              "the reference solution's.",
        "zh": "核对参数数量（37,633），并在隐藏的 Happy House 图片上按固定的小训练预算训练一个新模型：测试集精度要接近参考答案的精度。"},
    "graded.happy_compile": {
        "en": "reads the same compile settings from `happy_model`: compile that variable, "
              "not a new model.",
        "zh": "从 `happy_model` 读取同样的编译设置：请编译这个变量本身，而不是一个新模型。"},
    "graded.convolutional_model": {
        "en": "builds it for 32 x 32 images too (use the input_shape it is given), counts the "
              "parameters (1,310) and trains a fresh copy for a short fixed budget on hidden "
              "SIGNS images: it must reach a test accuracy close to the reference solution's.",
        "zh": "为 32 x 32 的图片也构建一次（请使用传入的 input_shape），核对参数数量（1,310），"
              "并在隐藏的 SIGNS 图片上按固定的小训练预算训练一个新模型：测试集精度要接近参考答案的精度。"},
    "graded.signs_compile": {
        "en": "reads the same compile settings from `conv_model`: compile that variable, "
              "not a new model.",
        "zh": "从 `conv_model` 读取同样的编译设置：请编译这个变量本身，而不是一个新模型。"},
    "graded.windowed_dataset": {
        "en": "uses other window sizes (6 and 3), batch sizes and shuffle buffers on hidden "
              "series, checks float32 features and labels, the size of every batch, every "
              "window exactly once, and that the windows are shuffled before batching (each "
              "batch mixes windows from all over the series, not consecutive ones).",
        "zh": "在隐藏序列上使用其他窗口大小（6 和 3）、批量大小和打乱缓冲区，检查特征和标签是 float32、"
              "每个批量的大小、每个窗口恰好出现一次，以及窗口在分批之前就已打乱（每个批量混合来自整个序列各处的窗口，而不是相邻的窗口）。"},
    "graded.build_forecaster": {
        "en": "checks that the last Lambda scales by exactly 100, counts the parameters "
              "(33,601) and trains a fresh copy for a short fixed budget on a hidden series: "
              "its validation MAE must stay under a threshold and beat the naive forecast.",
        "zh": "检查最后一个 Lambda 层恰好乘以 100，核对参数数量（33,601），并在一个隐藏序列上按固定的小训练预算"
              "训练一个新模型：验证集上的平均绝对误差（MAE）要低于阈值，并且优于朴素预测。"},
    "graded.forecast": {
        "en": "checks that it returns a 1-D array of len(series) - start values (this check "
              "ravels what it gets; the grader does not), and uses other window sizes (7 and 4), "
              "other start steps and a model that averages its window, on hidden series.",
        "zh": "检查它返回的是含 len(series) - start 个值的一维数组（这个检查会把结果展平，评分程序不会），"
              "并在隐藏序列上使用其他窗口大小（7 和 4）、其他起始时间步，以及一个对窗口取平均的模型。"},
    "graded.generator": {
        "en": "tries max_index=None, a step that does not divide lookback, a range shorter "
              "than one batch, and shuffle=True (rows drawn from [min_index + lookback, "
              "max_index), the same batches under the same np.random seed).",
        "zh": "测试 max_index=None、step 不能整除 lookback、范围比一个批量还短的情况，以及 shuffle=True"
              "（行从 [min_index + lookback, max_index) 中抽取，相同的 np.random 种子给出相同的批量）。"},
    "graded.evaluate_naive_method": {
        "en": "runs it on hidden data with other lookback, delay, batch size and step.",
        "zh": "在隐藏数据上用其他的 lookback、delay、批量大小和 step 运行它。"},
    "graded.build_gru_model": {
        "en": "checks the compile settings above (they are points too), and trains a fresh "
              "copy for a short fixed budget on hidden weather: its validation MAE must stay "
              "under a threshold and beat the common-sense baseline.",
        "zh": "检查上面的编译设置（也计分），并在隐藏的天气数据上按固定的小训练预算训练一个新模型：验证集上的平均绝对误差"
              "要低于阈值，并且优于基于常识的基准方法。"},

    # --- the TA's report.html and summary.md (ta_language) ----------------------------
    "rp.heading": {"en": "{title}: grading report", "zh": "{title}：评分报告"},
    "rp.nav": {"en": "Other pages of this run", "zh": "本次评分的其他页面"},
    "rp.students": {"en": "students", "zh": "名学生"},
    "rp.mean_final": {"en": "mean final points", "zh": "最终得分均值"},
    "rp.provisional_tag": {"en": " (provisional)", "zh": "（暂定）"},
    "rp.median": {"en": "median", "zh": "中位数"},
    "rp.maximum": {"en": "maximum", "zh": "满分"},
    "rp.pending_card": {"en": "hand-graded answers pending", "zh": "份人工评分的回答待评"},
    "rp.provisional": {
        "en": "Provisional: {pending} answer(s) graded by hand are not scored yet and count 0 in "
              "every total, mean and final below. Grade them with <code>{review}</code> (or in "
              "<code>manual/scores.csv</code>), then run <code>{manual}</code>.",
        "zh": "暂定：{pending} 份人工评分的回答尚未评分，在下面的每个总分、均值和最终得分中都按 0 分计。"
              "请用 <code>{review}</code>（或在 <code>manual/scores.csv</code> 中）评分，"
              "然后运行 <code>{manual}</code>。"},
    "rp.late_policy": {"en": "Late policy: {deadline}.", "zh": "迟交规则：{deadline}。"},
    "rp.collected": {"en": "Collected from a {layout} download.", "zh": "按{layout}收集提交。"},
    "rp.distribution": {"en": "Distribution of final points", "zh": "最终得分分布"},
    "rp.questions": {"en": "Questions", "zh": "各题"},
    "rp.col.question": {"en": "question", "zh": "题目"},
    "rp.col.mean_points": {"en": "mean points", "zh": "平均得分"},
    "rp.col.scored": {"en": "scored", "zh": "已评分"},
    "rp.by_hand_tag": {"en": " (graded by hand)", "zh": "（人工评分）"},
    "rp.rest_pending_tag": {"en": " (the rest pending)", "zh": "（其余待评）"},
    "rp.tests": {"en": "Tests: pass rate and the most common failure", "zh": "测试：通过率和最常见的失败原因"},
    "rp.tests_note": {
        "en": "The most common failure counts root causes: where a notebook timed out or crashed, "
              "the tests it never reached fail with \"run its cell first\", and those are counted apart.",
        "zh": "最常见的失败原因只统计根本原因：notebook 超时或崩溃时，它没有运行到的测试会以“请先运行定义它的单元格”失败，"
              "这些另行计数。"},
    "rp.col.test": {"en": "test", "zh": "测试"},
    "rp.col.points": {"en": "points", "zh": "分值"},
    "rp.col.passed": {"en": "passed", "zh": "通过"},
    "rp.col.pass_rate": {"en": "pass rate", "zh": "通过率"},
    "rp.col.common": {"en": "most common failure", "zh": "最常见的失败原因"},
    "rp.knock_on": {"en": "{count} after a timeout or crash", "zh": "{count} 次发生在超时或崩溃之后"},
    "rp.look": {"en": "Submissions that need a look ({count})", "zh": "需要查看的提交（{count}）"},
    "rp.paren": {"en": " ({text})", "zh": "（{text}）"},
    "rp.colon": {"en": ": ", "zh": "："},
    "rp.semicolon": {"en": "; ", "zh": "；"},
    "rp.comma": {"en": ", ", "zh": "，"},
    "rp.none": {"en": "None.", "zh": "没有。"},
    "rp.students_heading": {"en": "Students", "zh": "学生"},
    "rp.filter": {"en": "Filter", "zh": "筛选"},
    "rp.filter_hint": {"en": "id, name, flag, note...", "zh": "学号、姓名、标记、备注……"},
    "rp.status": {"en": "Status", "zh": "状态"},
    "rp.any": {"en": "any", "zh": "全部"},
    "rp.only_look": {"en": "needs a look only", "zh": "只看需要查看的"},
    "rp.shown": {"en": "{count} shown", "zh": "显示 {count} 名"},
    "rp.col.id": {"en": "id", "zh": "学号"},
    "rp.col.name": {"en": "name", "zh": "姓名"},
    "rp.col.section": {"en": "section", "zh": "班级"},
    "rp.col.total": {"en": "total", "zh": "总分"},
    "rp.col.penalty": {"en": "penalty %", "zh": "扣分 %"},
    "rp.col.final": {"en": "final", "zh": "最终得分"},
    "rp.col.status": {"en": "status", "zh": "状态"},
    "rp.col.flags": {"en": "flags", "zh": "标记"},
    "rp.col.late_by": {"en": "late by", "zh": "迟交时长"},
    "rp.col.notes": {"en": "notes", "zh": "备注"},
    "rp.pending": {"en": "pending", "zh": "待评"},
    "rp.histogram_title": {"en": "Final points: {count} submissions", "zh": "最终得分：{count} 份提交"},
    "rp.histogram_bar": {"en": "{index} points: {count}", "zh": "{index} 分：{count}"},
    "rp.histogram_axis": {"en": "final points (max {max})", "zh": "最终得分（满分 {max}）"},
    "rp.similar_link": {"en": "Similar work", "zh": "相似作业"},
    "rp.similar_what": {
        "en": ": pairs of students whose code or written answers are alike (advisory: no score changes)",
        "zh": "：代码或书面回答相似的学生对（仅供参考：不改变任何分数）"},
    "rp.similar_none": {
        "en": "Similar work: not compared yet (<code>{command}</code> writes similarity.html)",
        "zh": "相似作业：尚未比较（运行 <code>{command}</code> 会生成 similarity.html）"},
    # --- a deadline as the TA's pages describe it (course.Deadline.describe) -----------
    "policy.none": {"en": "no penalty for late work", "zh": "迟交不扣分"},
    "policy.cap": {"en": ", at most {cap}%", "zh": "，最多扣 {cap}%"},
    "policy.per_day": {"en": "{percent}% of the points earned per started day late{cap}",
                       "zh": "每迟交一天（不足一天按一天计）扣所得分数的 {percent}%{cap}"},
    "policy.per_hour": {"en": "{percent}% of the points earned per started hour late{cap}",
                        "zh": "每迟交一小时（不足一小时按一小时计）扣所得分数的 {percent}%{cap}"},
    "deadline.due": {"en": "due {due}", "zh": "截止时间 {due}"},
    "deadline.grace": {"en": "{minutes} minutes' grace", "zh": "宽限 {minutes} 分钟"},
    "deadline.last": {"en": "nothing accepted after {last} (no points)", "zh": "{last} 之后不再接收（0 分）"},
    "deadline.extensions": {"en": "{count} extension(s)", "zh": "{count} 人延期"},
    "deadline.separator": {"en": "; ", "zh": "；"},
    "look.flags": {"en": "flags: {flags}", "zh": "标记：{flags}"},
    "look.late": {"en": "late", "zh": "迟交"},
    "look.not_on_roster": {"en": "not on the roster", "zh": "不在名单上"},
    "look.unidentified": {"en": "unidentified", "zh": "身份不明"},
    "look.identity": {"en": "identity to check", "zh": "需核对身份"},
    # --- the TA's summary.md --------------------------------------------------------------
    "sm.heading": {"en": "# {title}: grading summary", "zh": "# {title}：评分摘要"},
    "sm.counts": {
        "en": "{students} students, {submissions} submissions, maximum {max} points. "
              "The same in a browser: [report.html](report.html).",
        "zh": "{students} 名学生，{submissions} 份提交，满分 {max} 分。"
              "在浏览器中查看同样的内容：[report.html](report.html)。"},
    "sm.stats_head": {"en": "| statistic | value |", "zh": "| 统计量 | 值 |"},
    "sm.stat.n": {"en": "n", "zh": "份数"},
    "sm.stat.mean": {"en": "mean", "zh": "均值"},
    "sm.stat.median": {"en": "median", "zh": "中位数"},
    "sm.stat.min": {"en": "min", "zh": "最低分"},
    "sm.stat.max": {"en": "max", "zh": "最高分"},
    "sm.stat.stdev": {"en": "stdev", "zh": "标准差"},
    "sm.status_head": {"en": "| status | students |", "zh": "| 状态 | 学生数 |"},
    "sm.question_head": {"en": "| question | mean points |", "zh": "| 题目 | 平均得分 |"},
    "sm.by_hand": {
        "en": "Questions graded by hand: {blank} answer(s) still to score. Read "
              "`manual/<question>.html`, fill `manual/scores.csv`, then run `make manual`.",
        "zh": "人工评分的题目：还有 {blank} 份回答待评。阅读 `manual/<question>.html`，"
              "填写 `manual/scores.csv`，然后运行 `make manual`。"},
    "sm.look_head": {"en": "## Submissions that need a look", "zh": "## 需要查看的提交"},
    "sm.flags_note": {
        "en": "Flags name what a submission's own code did in the sandbox (network, "
              "process, signal, exit, delete, reads_grader_files, imports_grader, "
              "output_capped, ...); none of it can change a score, but it may deserve a "
              "conversation.",
        "zh": "标记说明提交自己的代码在沙箱中做了什么（`network`、`process`、`signal`、`exit`、"
              "`delete`、`reads_grader_files`、`imports_grader`、`output_capped` 等）；"
              "这些都不会改变分数，但可能值得和学生谈一谈。"},
    "sm.problem": {"en": "- **{id}** ({status}{flags}): {message}",
                   "zh": "- **{id}**（{status}{flags}）：{message}"},
    "sm.problem_flags": {"en": "; flags: {flags}", "zh": "；标记：{flags}"},
    "sm.histogram": {"en": "![score histogram](histogram.png)", "zh": "![得分直方图](histogram.png)"},
    "sm.plot.x": {"en": "total score (max {max})", "zh": "总分（满分 {max}）"},
    "sm.plot.y": {"en": "submissions", "zh": "提交数"},
    "sm.plot.title": {"en": "{assignment}: {count} submissions", "zh": "{assignment}：{count} 份提交"},
    "sm.late_head": {"en": "## Late work", "zh": "## 迟交"},
    "sm.late_policy": {
        "en": "Policy: {deadline}. Raw points never change: `total` is what the tests gave, "
              "`penalty` the percent taken off it, `final` what is left.",
        "zh": "规则：{deadline}。原始得分不会改变：`total` 是测试给出的分数，`penalty` 是从中扣除的百分比，"
              "`final` 是扣除后剩下的分数。"},
    "sm.none_late": {"en": "No submission was late.", "zh": "没有迟交的提交。"},
    "sm.late_table": {
        "en": "| student | submitted | time from | late by | penalty | total | final | how |",
        "zh": "| 学生 | 提交时间 | 时间来源 | 迟交时长 | 扣分 | 总分 | 最终得分 | 计算方式 |"},
    "sm.collected_head": {"en": "## Collected", "zh": "## 收集"},
    "sm.collected": {"en": "From `{download}` ({layout} layout){roster}.",
                     "zh": "来自 `{download}`，按{layout}收集{roster}。"},
    "sm.roster": {"en": "; roster {roster}", "zh": "；名单 {roster}"},
    "sm.group.missing": {"en": "missing (no submission, 0 points)", "zh": "未提交（0 分）"},
    "sm.group.not_on_roster": {"en": "not on the roster (graded)", "zh": "不在名单上（已评分）"},
    "sm.group.unidentified": {"en": "unidentified (graded under the file name)",
                              "zh": "身份不明（按文件名评分）"},
    "sm.group.earlier": {"en": "with earlier attempts not graded", "zh": "有未评分的较早提交"},
    "sm.skipped": {"en": "- {count} file(s) skipped: ", "zh": "- 跳过了 {count} 个文件："},
    "sm.time_head": {"en": "## Where the time went", "zh": "## 时间花在哪里"},
    "sm.reused": {
        "en": "{count} hidden training(s) reused the trusted result of an identical model "
              "instead of training again.",
        "zh": "{count} 次隐藏测试中的训练复用了相同模型的可信结果，没有重新训练。"},
    "sm.time_table": {"en": "| stage | total s | median s per submission |",
                      "zh": "| 阶段 | 总计（秒） | 每份提交的中位数（秒） |"},
    "sm.stage.sandbox": {"en": "sandbox (the notebook)", "zh": "沙箱（运行 notebook）"},
    "sm.stage.scorer": {"en": "scorer (training included)", "zh": "评分进程（含训练）"},
    "sm.stage.training": {"en": "training in the hidden tests", "zh": "隐藏测试中的训练"},
    "sm.stage.total": {"en": "total", "zh": "总计"},
    "sm.source.lms": {"en": "lms", "zh": "教学平台"},
    "sm.source.file": {"en": "file", "zh": "文件"},
    # --- the TA's similarity.html and summary section (autograder/similarity/reports.py) ---
    "sim.title": {"en": "{title}: similar work", "zh": "{title}：相似作业"},
    "sim.intro": {
        "en": "Advisory: nothing here changes a score. {count} pair(s) of cells or answers score at least\n"
              "{listed}; the {shown} most similar are shown, the matching parts highlighted. Thresholds:\n"
              "code {code}, written answers {text} (<code>{key}</code> in the assignment's config, where\n"
              "the separation measured on the sample class is recorded). All listed pairs are in\n"
              "<code>{csv}</code>.",
        "zh": "仅供参考：这里的内容不改变任何分数。有 {count} 对单元格或回答的相似度至少为 {listed}；"
              "下面列出最相似的 {shown} 对，相同的部分已高亮。阈值：代码 {code}，书面回答 {text}"
              "（作业配置中的 <code>{key}</code>，其中记录了在样本班级上测得的区分度）。"
              "所有列出的对都在 <code>{csv}</code> 中。"},
    "sim.pair": {"en": ": {cell} ({kind}), score {score}{above}",
                 "zh": "：{cell}（{kind}），相似度 {score}{above}"},
    "sim.above": {"en": " (above the threshold)", "zh": "（高于阈值）"},
    "sim.not_compared": {"en": "Not compared ({count})", "zh": "未比较（{count}）"},
    "sim.summary_head": {"en": "## Similar work", "zh": "## 相似作业"},
    "sim.summary": {
        "en": "{count} pair(s) of cells or answers score above the similarity threshold "
              "(advisory, no score changed): see [similarity.html](similarity.html) and "
              "`similarity.csv`.",
        "zh": "{count} 对单元格或回答的相似度高于阈值（仅供参考，不改变分数）：见 "
              "[similarity.html](similarity.html) 和 `similarity.csv`。"},
    "sim.summary_skipped": {
        "en": " {count} cell(s) or answer(s) were not compared (listed there, with why).",
        "zh": "有 {count} 个单元格或回答未比较（已在那里列出，并说明原因）。"},
    "sim.kind.code": {"en": "code", "zh": "代码"},
    "sim.kind.text": {"en": "text", "zh": "书面回答"},
    "sim.cli": {"en": "{count} pair(s) listed, {above} above the threshold: {page}",
                "zh": "列出了 {count} 对，其中 {above} 对高于阈值：{page}"},
    "sim.summary_pair": {"en": "- {a} & {b}: {cell} ({kind}) {score}", "zh": "- {a} & {b}：{cell}（{kind}）{score}"},
    # A download's layout: its name in English; in Chinese, the phrase "... 格式" (a Latin
    # name with the spaces Chinese text puts around it).
    "layout.folder": {"en": "folder", "zh": "文件夹格式"},
    "layout.canvas": {"en": "canvas", "zh": " Canvas 格式"},
    "layout.moodle": {"en": "moodle", "zh": " Moodle 格式"},
    "layout.gradescope": {"en": "gradescope", "zh": " Gradescope 格式"},
    # --- the review app's pages (autograder/review/templates) -------------------------
    "rv.hide_names": {"en": "hide names", "zh": "隐藏姓名"},
    "rv.show_names": {"en": "show names", "zh": "显示姓名"},
    "rv.overview": {"en": "Questions graded by hand", "zh": "人工评分的题目"},
    "rv.col.question": {"en": "question", "zh": "题目"},
    "rv.col.points": {"en": "points", "zh": "分值"},
    "rv.col.graded": {"en": "graded", "zh": "已评分"},
    "rv.graded_of": {"en": "{graded} of {total} graded", "zh": "已评 {graded} / {total}"},
    "rv.help_order": {"en": "Answers come one at a time", "zh": "回答逐个出现"},
    "rv.help_order_anonymous": {"en": "Answers come one at a time, without names, in a shuffled\norder",
                                "zh": "回答逐个出现，不显示姓名，顺序已打乱"},
    "rv.help_keys": {
        "en": ". Keys: <kbd>1</kbd>&ndash;<kbd>9</kbd> toggle rubric items, <kbd>j</kbd> / <kbd>k</kbd>\n"
              "next / previous, <kbd>{enter}</kbd> saves and moves on, <kbd>c</kbd> comment, <kbd>p</kbd> free points,\n"
              "<kbd>{esc}</kbd> leaves a field. Each grade is saved at once into the run's <code>{folder}</code>\n"
              "folder; <code>{manual}</code> merges them into <code>grades.csv</code>.",
        "zh": "。快捷键：<kbd>1</kbd>&ndash;<kbd>9</kbd> 勾选或取消评分细则，<kbd>j</kbd> / <kbd>k</kbd> "
              "下一个 / 上一个，<kbd>{enter}</kbd> 保存并前往下一个，<kbd>c</kbd> 评语，<kbd>p</kbd> 额外加减分，"
              "<kbd>{esc}</kbd> 离开输入框。每次评分都会立即保存到本次评分的 <code>{folder}</code> 文件夹；"
              "<code>{manual}</code> 会把它们合并到 <code>grades.csv</code>。"},
    "rv.title": {"en": "{title}: answer {position} of {count}", "zh": "{title}：第 {position} 个回答，共 {count} 个"},
    "rv.title_member": {"en": ", student {member}", "zh": "，学生 {member}"},
    "rv.questions": {"en": "Questions", "zh": "题目"},
    "rv.points": {"en": "({points} points)", "zh": "（{points} 分）"},
    "rv.the_question": {"en": "The question", "zh": "题目内容"},
    "rv.answer_member": {"en": "answer {position}, student {member}", "zh": "第 {position} 个回答，学生 {member}"},
    "rv.on_their_own": {"en": ", graded on their own", "zh": "，单独评分"},
    "rv.answer": {"en": "answer {position}", "zh": "第 {position} 个回答"},
    "rv.no_answer": {"en": "(no answer)", "zh": "（未作答）"},
    "rv.serving": {
        "en": "Grading {assignment}'s written answers of {run}: open {url} (Ctrl-C to stop; every "
              "grade is already saved)",
        "zh": "正在评阅 {run} 中 `{assignment}` 的书面回答：请打开 {url}（按 `Ctrl-C` 停止；每个分数都已保存）"},
    "rv.saving": {"en": "saving...", "zh": "正在保存……"},
    "rv.saved_note": {"en": "saved", "zh": "已保存"},
    "rv.not_saved": {"en": "not saved: ", "zh": "未保存："},
    "rv.not_changed": {"en": "not changed: ", "zh": "未更改："},
    "rv.no_reply": {"en": "the review app does not answer", "zh": "评阅应用没有响应"},
    "rv.err.rubric_list": {"en": "{where}: 'rubric' must be a list of item ids",
                           "zh": "{where}：`rubric` 必须是评分细则编号的列表"},
    "rv.err.unknown_item": {
        "en": "{where}: no rubric item {item} in question '{key}' (its items are {items})",
        "zh": "{where}：题目 `{key}` 中没有评分细则 {item}（它的细则是 {items}）"},
    "rv.err.twice": {"en": "{where}: a rubric item is chosen twice",
                     "zh": "{where}：同一条评分细则被选了两次"},
    "rv.err.adjustment": {"en": "{where}: the free points {adjustment} are not a number",
                          "zh": "{where}：额外加减分 {adjustment} 不是数字"},
    "rv.err.comment": {"en": "{where}: the comment must be text of at most {limit} characters",
                       "zh": "{where}：评语必须是不超过 {limit} 个字符的文字"},
    "rv.err.range": {
        "en": "{where}: {points} points is not a score between 0 and {max} for question '{key}'",
        "zh": "{where}：{points} 分不是题目 `{key}` 的有效得分（应在 0 到 {max} 之间）"},
    # --- manual/<question>.html, every answer to one question (autograder/review/answers.py)
    "mp.heading": {"en": "{assignment}: {title}", "zh": "{assignment}：{title}"},
    "mp.intro": {
        "en": "{count} submissions. Score each answer out of {points} in {scores},\ncolumn {key} "
              "(or grade them in {review}); then run {manual}.",
        "zh": "{count} 份提交。请在 {scores} 的 {key} 列中为每个回答打分（满分 {points}），"
              "或在 {review} 中评分；然后运行 {manual}。"},
    "rv.group_blank": {"en": "answer {position}: left blank by {count} students, graded once for all",
                       "zh": "第 {position} 个回答：{count} 名学生都留空，一次评分适用于所有人"},
    "rv.group_same": {"en": "answer {position}: the same by {count} students, graded once for all",
                      "zh": "第 {position} 个回答：{count} 名学生的回答相同，一次评分适用于所有人"},
    "rv.position": {"en": "{position} of {count}", "zh": "第 {position} 个，共 {count} 个"},
    "rv.saved": {"en": "saved: {points}", "zh": "已保存：{points}"},
    "rv.the_answer": {"en": "The answer", "zh": "回答"},
    "rv.members": {"en": "The {count} students of this answer", "zh": "给出这个回答的 {count} 名学生"},
    "rv.student": {"en": "student {number}", "zh": "学生 {number}"},
    "rv.colon": {"en": ":", "zh": "："},
    "rv.not_graded": {"en": "not graded", "zh": "未评分"},
    "rv.own": {"en": "graded on their own ({points})", "zh": "单独评分（{points}）"},
    "rv.with_group": {"en": "graded with the group ({points})", "zh": "随组评分（{points}）"},
    "rv.back": {"en": "Back to the group", "zh": "回到这一组"},
    "rv.back_help": {"en": ": its grade goes to every student not graded on their own.",
                     "zh": "：组的评分适用于每个没有单独评分的学生。"},
    "rv.open_help": {"en": "Open a student to grade their answer on their own; the group's grade then leaves them alone.",
                     "zh": "打开一名学生可以单独为其回答评分；之后组的评分不再影响这名学生。"},
    "rv.rubric": {"en": "Rubric", "zh": "评分细则"},
    "rv.no_items": {"en": "No rubric items for this question: give the points below.",
                    "zh": "这道题没有评分细则：请在下面给分。"},
    "rv.free_points": {"en": "free points (&plusmn;)", "zh": "额外加减分（&plusmn;）"},
    "rv.score": {"en": "score", "zh": "得分"},
    "rv.comment": {"en": "comment to the student", "zh": "给学生的评语"},
    "rv.previous": {"en": "previous", "zh": "上一个"},
    "rv.save": {"en": "save", "zh": "保存"},
    "rv.save_next": {"en": "save and next", "zh": "保存并前往下一个"},
    "rv.rejoin": {"en": "grade with the group again", "zh": "重新随组评分"},
    "rv.next": {"en": "next", "zh": "下一个"},
    # --- what make export tells the TA (autograder/export.py) ---------------------------
    "ex.done": {"en": "{rows} student(s) exported to {folder}: {files} ({feedback} feedback file(s))",
                "zh": "已把 {rows} 名学生导出到 {folder}：{files}（{feedback} 个反馈文件）"},
    "ex.unmerged": {
        "en": "note: manual/scores.csv holds points of {students} that are not in grades.csv yet: "
              "run make manual RUN={run}, then export again",
        "zh": "注意：manual/scores.csv 中有 {students} 的分数还不在 grades.csv 中：请运行 "
              "`make manual RUN={run}`，然后重新导出"},
    "ex.unscored": {
        "en": "note: {count} answer(s) graded by hand are not scored yet and count 0: grade them "
              "(make review RUN={run}), run make manual, then export again",
        "zh": "注意：{count} 份人工评分的回答尚未评分，按 0 分计：请评分（`make review RUN={run}`），"
              "运行 `make manual`，然后重新导出"},
    "ex.unmatched": {
        "en": "note: the LMS cannot match {count} student(s) (no LMS id or e-mail known: give "
              "ROSTER= with them): {students}",
        "zh": "注意：教学平台无法匹配 {count} 名学生（不知道其平台 ID 或邮箱：请用 `ROSTER=` 提供含有它们的名单）："
              "{students}"},
    # --- a row's notes (grades.csv's notes column, collect's remarks and refusals) -------
    # Stored in English, matched by that text (report.needs_a_look); each page says them in
    # its reader's language (collect.say_notes). Keep each "en" exactly as it was written.
    "note.unidentified": {"en": "unidentified: graded under its file name",
                          "zh": "未能识别是谁的文件：按文件名评分"},
    "note.not_on_roster": {"en": "not on the roster", "zh": "不在名单上"},
    "note.identity": {"en": "identity: {text}", "zh": "身份待核实：{text}"},
    "note.refused": {"en": "refused: {source} ({why})", "zh": "已拒收：{source}（{why}）"},
    "note.earlier": {"en": "{count} earlier attempt(s) not graded: {sources}",
                     "zh": "{count} 次较早的提交未评分：{sources}"},
    "note.others_refused": {"en": "{count} other file(s) refused: {sources}",
                            "zh": "另有 {count} 个文件被拒收：{sources}"},
    "note.history": {"en": "{count} earlier attempt(s) in the LMS history",
                     "zh": "教学平台的历史记录中有 {count} 次较早的提交"},
    "note.lms_late": {"en": "the LMS marks it late", "zh": "教学平台将其标为迟交"},
    "note.no_submission": {"en": "no submission", "zh": "未提交"},
    "note.newer_download": {"en": "a newer download holds another file: not graded (--regrade)",
                            "zh": "较新的下载中有另一个文件：未评分（见 `--regrade`）"},
    "note.no_time": {"en": "no submission time known: lateness not checked",
                     "zh": "不知道提交时间：未检查是否迟交"},
    "note.not_described": {"en": "could not be described ({error})",
                           "zh": "无法读取其提交信息（{error}）"},
    "note.not_in_worksheet": {"en": "participant {participant} is not in the grading worksheet",
                              "zh": "评分工作表中没有参与者 {participant}"},
    "note.folder_name": {
        "en": "its folder names '{folder}', but the grading worksheet names participant "
              "{participant} '{worksheet}'",
        "zh": "其文件夹的名字是“{folder}”，而评分工作表中参与者 {participant} 的名字是“{worksheet}”"},
    "note.case_only": {"en": "its name differs only in case from '{other}' (kept apart)",
                       "zh": "其名称与“{other}”只有大小写不同（分开保留）"},
    "note.controls": {"en": "its file name holds control characters, shown as '?' ({controls})",
                      "zh": "其文件名含有控制字符，显示为“?”（{controls}）"},
    "note.symlink": {
        "en": "it is a symbolic link (it could point at another student's work or the grader's "
              "files)",
        "zh": "它是符号链接（可能指向其他学生的作业或评分程序的文件）"},
    "note.not_plain": {"en": "it is not a plain file (a pipe, socket or device)",
                       "zh": "它不是普通文件（而是管道、套接字或设备）"},
    "note.not_utf8": {"en": "its name is not valid UTF-8", "zh": "其文件名不是有效的 UTF-8"},
    "note.false_utf8": {
        "en": "its name is flagged UTF-8 but is not (the kit cannot tell which file it is)",
        "zh": "其文件名标为 UTF-8 但并不是（无法判断是哪个文件）"},
    "note.absolute": {"en": "its name is an absolute path", "zh": "其文件名是绝对路径"},
    "note.climbs": {"en": "its name climbs out of the download with '..'",
                    "zh": "其文件名用“..”指向下载之外"},
    "note.encrypted": {"en": "it is encrypted (a zip password)", "zh": "它已加密（设有压缩包密码）"},
    "note.compression": {
        "en": "it is compressed with {method}, which the grader does not read (only stored or "
              "deflate: a few hundred bytes of bzip2 or LZMA can expand to gigabytes before "
              "any size is checked)",
        "zh": "它以 {method} 方式压缩，评分程序不读取这种压缩（只读取未压缩或 `deflate` 压缩的文件："
              "几百字节的 bzip2 或 LZMA 数据在检查大小之前就可能解压出数 GB）"},
    "note.same_name": {
        "en": "{count} members of the download are named '{name}' (the kit cannot tell which "
              "one the LMS meant)",
        "zh": "下载中有 {count} 个文件都名为“{name}”（无法判断教学平台指的是哪一个）"},
    "note.claims": {
        "en": "{count} files claim this id under {names} different names or folders: {sources}",
        "zh": "{count} 个文件以 {names} 个不同的名字或文件夹声称属于这个 ID：{sources}"},
    "note.canvas_ambiguous": {
        "en": "the file name {source} also reads as Canvas user {others}'s (a name can hold "
              "'_<digits>_'): ranked after the files whose name reads one way",
        "zh": "文件名 {source} 也可读作 Canvas 用户 {others} 的文件（名字中可含“_<数字>_”）："
              "排在只有一种读法的文件之后"},
    "note.name_of_other": {
        "en": "the name '{name}' on {source} is that of {others} on the roster, not of the id "
              "it carries",
        "zh": "{source} 上的名字“{name}”是名单上 {others} 的名字，而不是它所带 ID 的"},
    "note.not_notebook": {"en": "not a notebook", "zh": "不是 notebook"},
    "note.skipped_refused": {"en": "refused: {why}", "zh": "已拒收：{why}"},
    "note.subfolder": {"en": "in a subfolder of a plain folder", "zh": "位于普通文件夹的子文件夹中"},
    "note.gradescope_meta": {"en": "not Gradescope's metadata (inside a submission): not read",
                             "zh": "不是 Gradescope 的元数据（位于某份提交之内）：未读取"},
    "note.file_remark": {"en": "{file}: {remark}", "zh": "{file}：{remark}"},
    "note.sim_skipped": {"en": "not compared: {why}", "zh": "未比较：{why}"},
    "note.sim_budget": {
        "en": "{size} characters, over what is left of the {budget} compared per student",
        "zh": "共 {size} 个字符，超出了每名学生最多比较 {budget} 个字符的剩余额度"},
    "note.sim_failed": {"en": "fingerprinting failed ({error})", "zh": "提取指纹失败（{error}）"},
    "fb.unreadable_file": {"en": "{file}: the file could not be read ({said})",
                             "zh": "{file}：无法读取这个文件（{said}）"},
    "fb.undescribed_file": {
        "en": "{file}: its submission time or origin could not be read ({error})",
        "zh": "{file}：无法读取它的提交时间或来源（{error}）"},
    "note.refusal": {
        "en": "Your file '{file}' ({source}) was not graded: {why}. Upload the notebook again as "
              "a plain .ipynb file with an ordinary name (letters, digits, '-', '_' and '.').",
        "zh": "你的文件“{file}”（{source}）没有评分：{why}。请重新上传这个 notebook，使用普通的 .ipynb "
              "文件和普通的文件名（字母、数字、“-”、“_”和“.”）。"},

    # --- a notebook the bounded reader refused (autograder/engine/notebooks.py) -------------
    # Said to the student in the course's language where their feedback is written; the TA's
    # stderr line and grades.csv keep the English (notebooks.Refused).
    "nb.refused": {"en": "{file}: {problem}", "zh": "{file}：{problem}"},
    "nb.unreadable": {"en": "the notebook could not be read ({error})",
                      "zh": "无法读取这个 notebook（`{error}`）"},
    "nb.missing": {"en": "the file does not exist", "zh": "文件不存在"},
    "nb.too_large": {
        "en": "the file is over the {limit} MB limit for a notebook; clear the outputs and "
              "submit it again",
        "zh": "文件超过了 notebook 的 {limit} MB 上限；请清除输出后重新提交"},
    "nb.not_regular_file": {"en": "cannot read the file (it is not a regular file)",
                            "zh": "无法读取文件：它不是普通文件（而是链接、文件夹或设备）"},
    "nb.cannot_read_it": {"en": "cannot read the file (it {why})", "zh": "无法读取文件（`{why}`）"},
    "nb.cannot_read": {"en": "cannot read the file ({why})", "zh": "无法读取文件（`{why}`）"},
    "nb.not_utf8": {
        "en": "not a notebook (not UTF-8 text at byte {byte}); download the .ipynb again and "
              "submit that file",
        "zh": "不是 notebook（第 {byte} 个字节处不是 UTF-8 文本）；请重新下载 .ipynb 文件并提交它"},
    "nb.invalid_json": {
        "en": "not a notebook (invalid JSON at line {line}: {error}); download the .ipynb again "
              "and submit that file",
        "zh": "不是 notebook（第 {line} 行的 JSON 无效：`{error}`）；请重新下载 .ipynb 文件并提交它"},
    "nb.json_error": {"en": "not a notebook ({error} reading its JSON)",
                      "zh": "不是 notebook（读取它的 JSON 时出错：`{error}`）"},
    "nb.no_cells": {"en": "JSON but not a Jupyter notebook (no 'cells')",
                    "zh": "是 JSON，但不是 Jupyter notebook（没有 `cells`）"},
    "nb.version": {
        "en": "not a notebook Jupyter reads (nbformat version {version}; Jupyter writes 4)",
        "zh": "不是 Jupyter 能读取的 notebook（格式版本 `nbformat` 为 `{version}`；Jupyter 写出的是 4）"},
    "nb.invalid": {"en": "not a valid notebook ({problem})",
                   "zh": "不是有效的 notebook（`{problem}`）"},
    "nb.lone_surrogate": {
        "en": "not a notebook Jupyter writes (a \\u escape holding half of a character)",
        "zh": "不是 Jupyter 写出的 notebook（有一个 `\\u` 转义只含半个字符）"},
    "nb.long_number": {
        "en": "not a notebook Jupyter writes (a number of more than {digits} digits)",
        "zh": "不是 Jupyter 写出的 notebook（有一个数超过 {digits} 位）"},
    "nb.many_values": {
        "en": "not a notebook Jupyter writes (more than {count} JSON values)",
        "zh": "不是 Jupyter 写出的 notebook（JSON 值超过 {count} 个）"},
    "nb.deep": {
        "en": "not a notebook Jupyter writes (JSON nested more than {depth} levels deep)",
        "zh": "不是 Jupyter 写出的 notebook（JSON 嵌套超过 {depth} 层）"},
    "nb.many_cells": {"en": "the notebook has {count} cells, over the limit of {limit}",
                      "zh": "这个 notebook 有 {count} 个单元格，超过了 {limit} 个的上限"},
    "nb.source_not_text": {"en": "cell {number}'s source is not text",
                           "zh": "第 {number} 个单元格的内容不是文本"},
    "nb.long_cell": {
        "en": "cell {number} holds {count} characters, over the limit of {limit} for one cell",
        "zh": "第 {number} 个单元格有 {count} 个字符，超过了单个单元格 {limit} 个字符的上限"},
    "nb.many_outputs": {"en": "more than {limit} outputs; clear the outputs and submit it again",
                        "zh": "输出超过 {limit} 个；请清除输出后重新提交"},
    "nb.large_output": {
        "en": "an output of cell {number} is over {limit} MB; clear the outputs and submit it "
              "again",
        "zh": "第 {number} 个单元格的一个输出超过 {limit} MB；请清除输出后重新提交"},
    "nb.grader_failed": {"en": "the grader failed on it ({error})",
                         "zh": "评分程序处理它时出错（`{error}`）"},

    # --- the TA's terminal: a download grade.py cannot read (collect.py, members.py) --------
    # members.SaidError: the English is what tests and scripts match; grade.py says it in the
    # course file's ta_language.
    "dl.not_folder_or_zip": {
        "en": "{path} is neither a folder nor a .zip: pass SUBMISSIONS=<the LMS download, as "
              "downloaded or unzipped>",
        "zh": "{path} 既不是文件夹也不是 `.zip` 文件：请用 `SUBMISSIONS=` 指定教学平台的下载（原样下载的或已解压的）"},
    "dl.missing": {
        "en": "submissions {path} does not exist: pass SUBMISSIONS=<folder or .zip holding the "
              "students' notebooks>",
        "zh": "提交 {path} 不存在：请用 `SUBMISSIONS=` 指定存放学生 notebook 的文件夹或 `.zip` 文件"},
    "dl.too_many_files": {
        "en": "{path}: more than the {limit} files a class download can hold; refusing it "
              "(nothing was graded)",
        "zh": "{path}：文件超过一个班级的下载最多能有的 {limit} 个；拒收整个下载（什么都没有评分）"},
    "dl.zip_unreadable": {
        "en": "{path}: the zip's directory cannot be read ({error}); download the class again "
              "(nothing was extracted or graded)",
        "zh": "{path}：无法读取压缩包的目录（`{error}`）；请重新下载全班的提交（什么都没有解压或评分）"},
    "dl.too_many_members": {
        "en": "{path}: {count} members, more than the {limit} a class download can hold; "
              "refusing it (nothing was extracted or graded)",
        "zh": "{path}：有 {count} 个成员，超过一个班级的下载最多能有的 {limit} 个；拒收整个下载（什么都没有解压或评分）"},
    "dl.zip_bomb": {
        "en": "{path}: its members expand past {limit} MB (at '{member}'); refusing it as a zip "
              "bomb (nothing was extracted or graded)",
        "zh": "{path}：解压后超过 {limit} MB（在“{member}”处）；按压缩炸弹拒收（什么都没有解压或评分）"},
    "dl.member_refused": {"en": "{source}: refused: {why}", "zh": "{source}：已拒收：{why}"},
    "dl.metadata_too_large": {
        "en": "{source}: {size} bytes is more than a metadata file may hold ({limit})",
        "zh": "{source}：{size} 字节，超过元数据文件最多能有的 {limit} 字节"},
    "dl.member_unreadable": {
        "en": "{source}: cannot be read ({error}); download the class again",
        "zh": "{source}：无法读取（`{error}`）；请重新下载全班的提交"},
    "dl.no_notebooks": {
        "en": "no .ipynb file in {path} (it holds: {held}); expected a Canvas, Moodle or "
              "Gradescope download or a folder of <student id>.ipynb",
        "zh": "{path} 中没有 .ipynb 文件（其中有：{held}）；应为 Canvas、Moodle 或 Gradescope 的下载，"
              "或一个放有 `<学号>.ipynb` 的文件夹"},
    "dl.unknown_layout": {
        "en": "unknown layout '{layout}' (known: canvas, moodle, gradescope, folder)",
        "zh": "未知的格式“{layout}”（已知：`canvas`、`moodle`、`gradescope`、`folder`）"},
    "dl.layout_unknown": {
        "en": "unknown download layout: the notebooks ({examples}, ...) are neither Canvas files "
              "(<lastfirst>_<user id>_<attachment id>_<file>), Moodle folders (<Full name>_"
              "<participant id>_assignsubmission_file), a Gradescope export "
              "(submission_metadata.yml) nor <student id>.ipynb files at the top; unzip it as "
              "the LMS gave it",
        "zh": "无法识别下载的格式：其中的 notebook（{examples} 等）既不是 Canvas 的文件"
              "（`<lastfirst>_<user id>_<attachment id>_<file>`），也不是 Moodle 的文件夹"
              "（`<Full name>_<participant id>_assignsubmission_file`）、Gradescope 的导出"
              "（`submission_metadata.yml`），也不是顶层的 `<学号>.ipynb` 文件；请按教学平台给出的样子解压"},
    "dl.yaml_invalid": {"en": "{source}: not valid YAML ({error})",
                        "zh": "{source}：不是有效的 YAML（`{error}`）"},
    "dl.yaml_invalid_at": {"en": "{source} line {line}: not valid YAML ({error})",
                           "zh": "{source} 第 {line} 行：不是有效的 YAML（`{error}`）"},
    "dl.yaml_shape": {"en": "{source}: expected one entry per submission_<id> folder",
                      "zh": "{source}：应为每个 `submission_<id>` 文件夹一项"},
    "dl.moodle_unmatched": {
        "en": "no file of the Moodle download {path} matched a roster student by participant "
              "id: pass WORKSHEET=<the assignment's grading worksheet csv>, or give the roster an "
              "lms_id column holding each student's participant id (not the Canvas or Moodle "
              "user id)",
        "zh": "Moodle 下载 {path} 中没有文件按参与者 ID 匹配到名单上的学生：请用 `WORKSHEET=` 指定本作业的"
              "评分工作表（CSV 文件），或在名单中加一列 `lms_id`，写上每名学生的参与者 ID（不是 Canvas 或 Moodle 的用户 ID）"},
    "dl.moodle_no_ids": {
        "en": "a Moodle download is matched to the roster by participant id, never by name: pass "
              "WORKSHEET=<the assignment's grading worksheet csv> (Moodle: View all submissions > "
              "Download grading worksheet), or give the roster an lms_id column holding each "
              "student's participant id",
        "zh": "Moodle 的下载按参与者 ID 与名单匹配，从不按姓名：请用 `WORKSHEET=` 指定本作业的评分工作表（CSV 文件）"
              "（Moodle：`View all submissions > Download grading worksheet`），或在名单中加一列 `lms_id`，"
              "写上每名学生的参与者 ID"},
    # grade.py's lines to the TA (the course file's ta_language)
    "ta.already_graded": {
        "en": "{count} submission(s) already graded in {path}; pass --regrade to grade them again",
        "zh": "{count} 份提交已在 {path} 中评过分；要重新评分请加 `--regrade`"},
    "ta.kept": {
        "en": "{count} graded student(s) have a different file in this download than the one "
              "graded ({ids}); their grades stand: pass --regrade to grade the new files",
        "zh": "{count} 名已评分的学生在这次下载中的文件与已评分的不同（{ids}）；他们的成绩保持不变：要为新文件评分请加 "
              "`--regrade`"},
    "ta.not_described": {"en": "{id}: could not be described ({error})",
                         "zh": "{id}：无法读取这份提交的时间或来源（`{error}`）"},
    "ta.done": {"en": "{count} row(s) in {path}; summary in {summary}; report in {report}",
                "zh": "{path} 中共 {count} 行；摘要见 {summary}；报告见 {report}"},

    # --- the roster (course.read_roster): said in the course file's ta_language ----------
    "roster.missing": {"en": "roster {path} does not exist (ROSTER=<csv with a column {column}>)",
                       "zh": "名单 {path} 不存在（`ROSTER=` 应指定一个有 {column} 列的 CSV 文件）"},
    "roster.not_utf8": {
        "en": "{path}: not UTF-8 text ({reason} at byte {byte}); save the roster as CSV UTF-8",
        "zh": "{path}：不是 UTF-8 文本（第 {byte} 个字节：`{reason}`）；请把名单另存为 `CSV UTF-8`"},
    "roster.bad_csv": {
        "en": "{path} line {line}: not readable as CSV ({reason}); save the roster as CSV again",
        "zh": "{path} 第 {line} 行：无法按 CSV 读取（`{reason}`）；请把名单重新另存为 CSV"},
    "roster.no_id_column": {
        "en": "{path} line 1: no id column '{column}' (columns: {header}); name it, or set "
              "[roster] id = \"<column>\" in the course file",
        "zh": "{path} 第 1 行：没有学号列“{column}”（现有的列：{header}）；请给这一列命名，或在课程文件中设置 "
              "`[roster] id = \"<列名>\"`"},
    "roster.empty_id": {"en": "{path} line {line}, column {column}: the id is empty",
                        "zh": "{path} 第 {line} 行，{column} 列：学号为空"},
    "roster.bad_id": {
        "en": "{path} line {line}, column {column}: the id '{id}' has characters an id may not "
              "(letters, digits and . _ @ + - only, not starting with a dot): it names the "
              "student's feedback file",
        "zh": "{path} 第 {line} 行，{column} 列：学号“{id}”含有学号不能有的字符（只能用字母、数字和 "
              "`. _ @ + -`，且不能以点开头）：它是学生反馈文件的文件名"},
    "roster.duplicate_id": {
        "en": "{path} line {line}, column {column}: duplicate id '{id}' (first on line {first})",
        "zh": "{path} 第 {line} 行，{column} 列：学号“{id}”重复（第一次出现在第 {first} 行）"},
    "roster.no_students": {"en": "{path}: the roster has no students",
                           "zh": "{path}：名单中没有学生"},
}
