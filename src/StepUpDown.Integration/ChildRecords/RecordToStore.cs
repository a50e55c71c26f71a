namespace StepUpDown.Integration.ChildRecords;

/// <summary>A record to store as the child's latest in its source.</summary>
/// <param name="ChildId">The child's id in the source.</param>
/// <param name="Version">The record's version.</param>
/// <param name="LevelCode">The continuum level it holds.</param>
/// <param name="NhsNumber">Its NHS number as given.</param>
/// <param name="ExternalKeys">The other-system records it names.</param>
/// <param name="Json">The whole record.</param>
/// <param name="GpOwed">The child's GP is still owed the current plan once this record's notices are planned.</param>
public sealed record RecordToStore(string ChildId, long Version, string LevelCode, string? NhsNumber, IReadOnlyList<string> ExternalKeys, string Json, bool GpOwed = false);
