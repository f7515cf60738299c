import Foundation

/// A matrix drawn as a grid of shaded cells (white at 0, dark blue at the largest value),
/// as a self-contained SVG: attention weights and transport plans side by side.
///
/// - Complexity: `O(rows * columns)` cells.
public struct SVGHeatMap: Sendable {
  public var title: String
  /// Row-major values (`rows * columns`); negative values are drawn as 0.
  public var values: [Double]
  public var rows: Int
  public var columns: Int
  /// The value drawn darkest; `nil` is the largest value.
  public var maximum: Double?
  /// The side of the drawing in points.
  public var size: Double = 220

  public init(title: String, rows: Int, columns: Int, values: [Double], maximum: Double? = nil) {
    precondition(values.count == rows * columns, "a heat map needs rows * columns values")
    self.title = title
    self.rows = rows
    self.columns = columns
    self.values = values
    self.maximum = maximum
  }

  /// The SVG document.
  public func render() -> String {
    let top = 24.0
    let cell = size / Double(max(rows, columns, 1))
    let (w, h) = (cell * Double(columns), cell * Double(rows))
    let largest = maximum ?? values.filter(\.isFinite).max() ?? 1
    func f(_ v: Double) -> String { String(format: "%.2f", v) }
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(w + 8)) \(f(h + top + 4))\" width=\"\(f(w + 8))\" height=\"\(f(h + top + 4))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">"
    s += "<text x=\"\(f((w + 8) / 2))\" y=\"15\" text-anchor=\"middle\" font-weight=\"bold\">\(escapeXML(title))</text><g stroke=\"none\">"
    for i in 0..<rows {
      for j in 0..<columns {
        let v = values[i * columns + j]
        let t = largest > 0 && v.isFinite ? min(max(v / largest, 0), 1) : 0
        // From white to #08306B.
        let (r, g, b) = (255 - t * (255 - 8), 255 - t * (255 - 48), 255 - t * (255 - 107))
        s += "<rect x=\"\(f(4 + Double(j) * cell))\" y=\"\(f(top + Double(i) * cell))\" width=\"\(f(cell + 0.3))\" height=\"\(f(cell + 0.3))\" fill=\"rgb(\(Int(r)),\(Int(g)),\(Int(b)))\"/>"
      }
    }
    s += "</g><rect x=\"4\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"#999\"/></svg>"
    return s
  }
}
