using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>The ODE right-hand side: velocity at state x [B, ...] and time t [B] (the float32 grid time, repeated).</summary>
public delegate Tensor VelocityField(Tensor x, Tensor t);

/// <summary>
/// Called after each step with the step count so far (1-based) and the new state. The state is released at the next
/// step and the call runs inside the sampler's dispose scopes: detach (<c>DetachFromDisposeScope</c>) whatever must
/// outlive the sampling call.
/// </summary>
public delegate void StepObserver(int step, Tensor state);
