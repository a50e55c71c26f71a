namespace StepUpDown.Domain.Continuum;

/// <summary>One level on a council's continuum of need, e.g. early help or child protection.</summary>
/// <param name="Code">Stable code used in configuration and storage, e.g. <c>child-protection</c>.</param>
/// <param name="Name">Name shown to people, e.g. "Child protection".</param>
/// <param name="Rank">Position on the continuum: 1 is the lowest (universal).</param>
/// <param name="SnomedCode">SNOMED CT concept a GP practice may record for a child at this level, if any.</param>
/// <param name="SnomedTerm">The concept's preferred term.</param>
public sealed record Level(string Code, string Name, int Rank, string? SnomedCode = null, string? SnomedTerm = null);
