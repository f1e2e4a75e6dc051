"""Hidden tests for results_table(runs).

A table with a column or row missing fails the shape test; the value test grades
the columns and rows it finds and says which it skipped. Rows are counted from 1, as a
student counts them, and named by their run (a DataFrame's index starts at 0).
"""
import numpy as np
from otter.test_files import test_case

import gradelib
from shared.tuning_spec import RESULT_COLUMNS

OK_FORMAT = False
name = "results_table"
SHAPE = gradelib.text("results_table has one row per run and the required columns",
                      "results_table 每个实验记录一行，并有要求的列")


def table(results_table):
    got = gradelib.call_case(results_table, "results_table", "three_runs")
    if not hasattr(got, "columns") or not hasattr(got, "to_dict"):
        gradelib.fail(f"results_table should return a pandas DataFrame, found "
                      f"{type(got).__name__}: build it with "
                      f"`pd.DataFrame(rows, columns=RESULT_COLUMNS)`.",
                      f"results_table 应当返回一个 pandas DataFrame，实际为 {type(got).__name__}："
                      f"请用 `pd.DataFrame(rows, columns=RESULT_COLUMNS)` 构建它。")
    return got


def expected_rows():
    runs = gradelib.probe_case("results_table", "three_runs")[0]
    rows = []
    for run in runs:
        logs = run["history"].history
        epoch = int(np.argmin(logs["val_loss"])) + 1
        rows.append({"name": run["name"], "best_epoch": epoch,
                     "val_loss": logs["val_loss"][epoch - 1],
                     "val_accuracy": logs["val_accuracy"][epoch - 1],
                     "test_accuracy": run["test_accuracy"]})
    return rows


@test_case(name=SHAPE, points=1)
def shape(results_table):
    got = table(results_table)
    if list(got.columns) != RESULT_COLUMNS:
        gradelib.fail(f"the columns should be {RESULT_COLUMNS} in this order, found "
                      f"{list(got.columns)}.",
                      f"列应按此顺序为 {RESULT_COLUMNS}，实际为 {list(got.columns)}。")
    if len(got) != 3:
        gradelib.fail(f"3 runs should give 3 rows (one per run, in the same order), found "
                      f"{len(got)}.", f"3 个实验记录应得到 3 行（每个记录一行、顺序不变），实际为 {len(got)} 行。")


@test_case(name=gradelib.text("results_table reads each run's best epoch and its scores",
                          "results_table 读出每个实验记录的最佳轮次及其分数"), points=2)
def values(results_table):
    got = table(results_table)
    records = got.to_dict("records")
    wanted = expected_rows()
    columns = [column for column in RESULT_COLUMNS if column in got.columns]
    if not columns or not records:
        gradelib.fail(f"the table has none of the columns {RESULT_COLUMNS} or no rows: build "
                      f"it with `pd.DataFrame(rows, columns=RESULT_COLUMNS)`, one row per run.",
                      f"表格没有 {RESULT_COLUMNS} 中的任何一列，或者没有行：请用 "
                      f"`pd.DataFrame(rows, columns=RESULT_COLUMNS)` 构建它，每个实验记录一行。")
    skipped = [c for c in RESULT_COLUMNS if c not in columns] + [
        gradelib.text(f"row {row + 1} ({wanted[row]['name']})", f"第 {row + 1} 行（{wanted[row]['name']}）")
        for row in range(len(records), len(wanted))]
    if skipped:
        print(gradelib.text(f"skipped {', '.join(skipped)}: missing, which '{SHAPE}' grades.",
                            f"跳过了 {', '.join(skipped)}：缺失，由“{SHAPE}”评分。"))
    for row, want in enumerate(wanted[:len(records)]):
        for column in columns:
            value, found = want[column], records[row].get(column)
            same = found == value if isinstance(value, str) else (
                isinstance(found, (int, float, np.number)) and np.isclose(found, value))
            if not same and column == "name":  # the runs reordered (sorted), or renamed
                names = [run["name"] for run in wanted]
                gradelib.fail(f"row {row + 1} should be the run {value!r}, found {found!r}: keep one "
                              f"row per run, in the order of `runs` ({names}); sort a copy to "
                              f"compare them, not the table you return.",
                              f"第 {row + 1} 行应为实验记录 {value!r}，实际为 {found!r}：每个实验记录一行，按 `runs` "
                              f"的顺序（{names}）；要比较它们，请对副本排序，不要对返回的表格排序。")
            if not same:
                gradelib.fail(f"row {row + 1} ({want['name']}): {column} should be {value!r}, found "
                              f"{found!r}. The best epoch is the one with the lowest val_loss "
                              f"(use your best_epoch); take val_loss and val_accuracy at that "
                              f"epoch (index best_epoch - 1).",
                              f"第 {row + 1} 行（{want['name']}）：{column} 应为 {value!r}，实际为 {found!r}。"
                              f"最佳轮次是 val_loss 最低的那个（用你的 best_epoch）；取该轮次的 val_loss 和 "
                              f"val_accuracy（索引 best_epoch - 1）。")
