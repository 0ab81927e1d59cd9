namespace Donations.Api.Infrastructure.Configuration;

public enum SmtpSecurity { None, StartTls, StartTlsWhenAvailable, SslOnConnect, Auto }
