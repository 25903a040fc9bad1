namespace Vdi.Grains.Controllers.Ecp;

/// <summary>What a program run through the guest agent wrote (guest-exec's <c>out-data</c> and <c>err-data</c>).</summary>
public sealed record GuestExecOutput(string Output, string Error);
