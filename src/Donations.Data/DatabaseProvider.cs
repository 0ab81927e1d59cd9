namespace Donations.Data;

public enum DatabaseProvider { Sqlite, Postgres, SqlServer }
