import Foundation
import OTKitReport

extension AlignmentStudy {
  public func report(_ result: Result) -> Report {
    let (b, e, t) = (base, encoderSettings, trained)
    var report = Report(title: "Alignment of translated words, synthetic (seed 001)")
    report.paragraph("A translation task without a pretrained model (spec §7.4): \(b.concepts) concepts c_k ~ N(0, I) in R^\(b.dimension); language A tokens c_k + σξ, language B tokens Q c_k + σξ' in a perturbed order (rotation \(b.rotation) rad, swaps \(b.swap)), \(b.words) words per sentence, with \(b.functionWords) function words, a split word, a context shift α·mean and a common direction. The theory's layout (one token per pair of points) differs from a language model's (one token per word): these mirror the author's measurements (E4-E6), they do not test the theorem.")
    let embeddings = result.embeddings
    let (gh, gr) = AlignmentReport.gridTable(noises: embeddings.noises, shifts: embeddings.shifts, accuracy: embeddings.accuracy)
    report.table(header: gh, rows: gr, caption: "OT accuracy of the embeddings (share of gold pairs on the exact plan's support, \(settings.pairs) pairs; chance 1/\(b.words)) against noise σ (rows) and shift α (columns)")
    let a = anisotropic
    report.paragraph(
      "With a common direction of length \(NumberFormat.general(a.anisotropy)) (σ \(NumberFormat.fixed(a.noise, 1)), α \(NumberFormat.general(a.shift))): \(NumberFormat.fixed(embeddings.anisotropic, 3)) with Euclidean costs (a shared direction cancels in differences), \(NumberFormat.fixed(embeddings.anisotropicCosine, 3)) with cosine costs.")
    report.paragraph("Encoder (\(e.layers) layers, width \(e.width), \(e.heads) heads, \(e.steps) steps) trained to name each token's concept (σ \(NumberFormat.fixed(t.noise, 1)), α \(NumberFormat.fixed(t.shift, 1)), anisotropy \(NumberFormat.fixed(t.anisotropy, 0))): test accuracy \(NumberFormat.fixed(result.encoder.testAccuracy, 3)); layer by layer on \(settings.testPairs) test pairs (plan: the input embeddings').")
    let (lh, lr) = AlignmentReport.layerTable(result.encoder.layers)
    report.table(header: lh, rows: lr, caption: "The trained encoder, layer by layer (band: 1.282 standard errors)")
    report.paragraph("The fixed-weight transformer on the same gold words (λ 0.05 of the largest squared distance, a = 1): share of second-language words whose largest readout weight is on their gold word: "
      + result.constructed.map { "depth \($0.depth) \(NumberFormat.fixed($0.accuracy, 3))" }.joined(separator: ", "))
    var loss = SVGChart(title: "Encoder training loss", xLabel: "step", yLabel: "cross-entropy")
    loss.addLine(x: result.encoder.losses.indices.map { Double($0 * 10) }, y: result.encoder.losses, color: SVGChart.palette[0], label: "loss")
    var counterpart = SVGChart(title: "Fixed-weight transformer on the same words", xLabel: "depth", yLabel: "accuracy")
    counterpart.logX = true
    counterpart.addLine(x: result.constructed.map { Double($0.depth) }, y: result.constructed.map(\.accuracy), color: SVGChart.palette[1], label: "readout argmax = gold")
    report.figures([AlignmentReport.chart(result.encoder.layers, title: "Encoder, per layer"), loss, counterpart])
    return report
  }
}
