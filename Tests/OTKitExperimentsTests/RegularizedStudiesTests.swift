import Foundation
import Testing
import OTKitCore
import OTKitData
import OTKitTestSupport
import OTKitTransport
@testable import OTKitExperiments

@Suite("Regularized OT studies (spec regularized-ot.md §6)")
struct RegularizedStudiesTests {
  @Test("§6.1/6.3: k = 1 is exact OT + gamma/(2n), large k is quadratic OT, caps hold, the dual is below the semi-dual, Sinkhorn is dense")
  func sparseOT() throws {
    let s = try SparseTransportStudy.run(gammas: [1], ks: [1, 2, 6, nil])
    #expect(abs(s.exactCost - 0.661652) < 1e-6)
    #expect(abs(s.rows[0].semiDual - (s.exactCost + 1.0 / 80)) < 1e-6)
    #expect(abs(s.rows[2].semiDual - s.rows[3].semiDual) < 1e-7)
    for row in s.rows { #expect(row.maxNonZerosPerColumn <= (row.maxNonZeros ?? 40)) }
    #expect(s.rows[1].iterations > s.rows[2].iterations)
    #expect(s.dualGamma1K2 <= s.rows[1].semiDual + 1e-5)
    #expect(s.sinkhornPositive == s.entries && s.quadraticNonZeros <= 7 * 40)
  }

  @Test("§6.2: SC-OT caps experts per token and tokens per expert exactly and balances the loads better than softmax top-2", .enabled(if: TestConditions.digitsPath != nil, Comment(rawValue: TestConditions.digitsReason)))
  func routing() throws {
    let table = try CSV.read(TestConditions.digitsPath!, options: CSVReadOptions(label: .name("label")))
    var settings = TopKRouting.Settings()
    settings.tokens = 256
    let routings = try TopKRouting.run(tokens: TopKRouting.tokens(table.features, settings), settings: settings)
    #expect(routings.count == 5)
    let softmax = routings[0], tokensChoose = routings[1], expertsChoose = routings[2]
    #expect(softmax.maxOverMeanLoad > 1.1)
    #expect(tokensChoose.maxExpertsPerToken <= 2 && tokensChoose.maxOverMeanMass < 1.05)
    #expect(tokensChoose.maxOverMeanLoad < softmax.maxOverMeanLoad)
    #expect(expertsChoose.maxTokensPerExpert <= settings.capacity)
    #expect(routings[3].optimizer.hasPrefix("Adam") && routings[3].maxExpertsPerToken <= 2)
  }

  @Test("§6.4: the mass sent to the outliers falls with rho; the scaling and log domains agree to 1e-8; the reference changes the plan")
  func unbalancedOutliers() throws {
    var settings = UnbalancedOutliers.Settings()
    settings.points = 60
    settings.rhos = [.infinity, 1, 0.1]
    let s = try UnbalancedOutliers.run(settings)
    let product = s.rows.filter { $0.reference == "product" }
    #expect(abs(product[0].outlierMass - 0.2) < 1e-6)
    #expect(product[0].outlierMass > product[1].outlierMass && product[1].outlierMass > product[2].outlierMass)
    #expect(product[2].outlierMass < 0.01)
    #expect(s.rows.allSatisfy { $0.status == "converged" && $0.domainGap < 1e-8 })
    #expect(s.referenceGaps.allSatisfy { $0 > 1e-6 })
  }

  @Test("§6.5 (small): acceleration table rows and the sweep's statuses", .enabled(if: TestConditions.heavy, Comment(rawValue: TestConditions.heavyReason)))
  func heavyAcceleration() throws {
    let s = try AccelerationStudy.run()
    #expect(s.rows.allSatisfy { $0.status == "converged" })
    #expect(s.sweep.allSatisfy { $0.status == "converged" })
    let small = s.rows.filter { $0.epsilon == 0.002 }
    let plain = try #require(small.first { $0.acceleration == "none" })
    let adaptive = try #require(small.first { $0.acceleration.hasPrefix("adaptive") })
    #expect(3 * adaptive.iterations <= plain.iterations)
  }
}
