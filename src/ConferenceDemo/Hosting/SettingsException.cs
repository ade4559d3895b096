namespace ConferenceDemo.Hosting;

/// <summary>A setting that cannot be used; the message names it and says how to fix it.</summary>
public sealed class SettingsException(string message) : Exception(message);
