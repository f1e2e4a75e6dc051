"""The course's terms in Chinese and English: one rendering of each, which every Chinese
sentence of the kit uses (the catalogue, shared/i18n.py, and the notebooks' translations).

Why a glossary: the course is taught from Chinese notes, and a student who meets 验证集 in
the notes, 校验集 in a check and "validation" in a plot reads three things. The Chinese is
the course notes' word wherever the notes use one (``notes=True``; 轮次, 验证集, 精度,
过拟合, ...); the rest (卷积层, 最大池化, 批量归一化, ...) are the usual textbook words,
chosen once here. ``avoid`` lists renderings a translator may reach for that the course does
not use. tests/test_glossary.py checks the catalogue and the translations against it, and
autograder/tools/zhcheck.py lets a glossary term's English stand as a gloss in parentheses
(``精度（准确率，accuracy）``).

It ships with the helpers (a module of ``shared``) so that a student's copy of the kit
carries the same words its messages use.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    en: str                   # the English term, as the English sentences write it
    zh: str                   # the Chinese every zh sentence uses for it
    notes: bool = False       # the course notes use this Chinese word
    also: tuple = ()          # other Chinese forms that are the same word (精度 / 准确率)
    avoid: tuple = ()         # renderings the course does not use
    gloss: str = ""           # a short explanation, given where the term first appears
    #: False for a common English word ("run", "rate") that is a term only in a gloss
    #: (记录（run）): sentences that say it otherwise need not use the Chinese.
    everywhere: bool = True


TERMS = (
    Term("epoch", "轮次", notes=True, avoid=("迭代次数", "纪元", "时代")),
    Term("validation", "验证集", notes=True, also=("验证",), avoid=("校验集", "验证数据集")),
    Term("training set", "训练集", notes=True),
    Term("test set", "测试集", notes=True),
    Term("accuracy", "精度", notes=True, also=("准确率",), avoid=("准确度",),
         gloss="准确率，accuracy：预测正确的样本所占的比例；不是 precision"),
    Term("loss", "损失", notes=True, avoid=("代价",)),
    Term("loss function", "损失函数", notes=True),
    Term("activation", "激活函数", notes=True, also=("激活",)),
    Term("hidden layer", "隐藏层", notes=True, avoid=("隐含层",)),
    Term("units", "单元", notes=True, also=("隐藏单元",), avoid=("神经元个数",)),
    Term("overfitting", "过拟合", notes=True, avoid=("过度拟合",)),
    Term("learning rate", "学习率", notes=True, avoid=("学习速率",)),
    Term("time step", "时间步", notes=True),
    Term("baseline", "基准", notes=True),
    Term("parameters", "参数", notes=True),
    Term("optimizer", "优化器", notes=True),
    Term("label", "标签", notes=True),
    Term("sample", "样本", notes=True),
    Term("feature", "特征", notes=True),
    Term("MAE", "平均绝对误差", notes=True, also=("MAE",)),
    Term("mean squared error", "均方误差", notes=True),
    Term("cross-entropy", "交叉熵", notes=True),
    Term("bidirectional", "双向", notes=True),
    Term("stacked", "堆叠", notes=True),
    Term("padding", "填充", notes=True),
    Term("strides", "步幅", notes=True),
    Term("batch", "批量", notes=True, avoid=("批次",)),
    Term("dense", "密集连接", notes=True, avoid=("稠密",)),
    Term("hyperparameter", "超参数", notes=True),
    Term("binary classification", "二分类", notes=True),
    Term("multi-class classification", "多分类", notes=True),
    Term("series", "序列", notes=True),
    Term("forecast", "预测", notes=True),
    Term("one-hot", "one-hot", notes=True, avoid=("独热",)),
    Term("dropout", "dropout", notes=True),
    Term("convolutional layer", "卷积层"),
    Term("max pooling", "最大池化"),
    Term("pooling", "池化"),
    Term("batch normalization", "批量归一化", avoid=("批归一化", "批标准化", "批量标准化")),
    Term("word index", "词索引"),
    Term("naive forecast", "朴素预测"),
    Term("window", "窗口"),
    Term("kernel initializer", "卷积核初始化方法"),
    Term("pool size", "池化窗口大小"),
    Term("rate", "比率", everywhere=False),
    Term("axis", "轴", everywhere=False),
    Term("multi-hot", "多热"),
    Term("run", "记录", everywhere=False),
)


def by_english() -> dict[str, Term]:
    return {term.en.lower(): term for term in TERMS}
