import OTKitAutograd
import OTKitCore

/// The mean squared error `mean((prediction - target)^2)` over every element.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
  (prediction - target).square().mean()
}
