// Where a confusion matrix's parts go on the picture: sized from the class
// names so that no label overlaps another, the cells or the edge. Column
// labels are horizontal while they fit their cell, else turned 45 degrees
// (90 when the cells are too narrow for that). Exposed for the tests.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace melnorm::detail {

struct Point {
  double x = 0, y = 0;
};
// A text's box on the picture: the four corners of its (possibly turned) box.
using Quad = std::array<Point, 4>;

struct TextPlacement {
  std::string text;
  double size = 11;     // font size
  double x = 0, y = 0;  // the baseline's start
  double angle = 0;     // radians, counter-clockwise on the picture (45 degrees reads up to the right)
  Quad box{};           // where its glyphs may ink (font ascent to descent)
};

struct ConfusionLayout {
  int width = 0, height = 0;
  double left = 0, top = 0, cell = 0;  // the matrix: n x n cells of `cell` pixels from (left, top)
  double column_angle = 0;             // of the column labels, radians
  TextPlacement title;
  std::vector<TextPlacement> column_labels, row_labels, notes;  // notes: the lines under the matrix
};

ConfusionLayout confusion_layout(const std::vector<std::string>& class_names, const std::string& title);

}  // namespace melnorm::detail
