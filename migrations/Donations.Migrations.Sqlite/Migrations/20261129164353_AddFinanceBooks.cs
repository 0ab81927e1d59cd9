using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddFinanceBooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DriftReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    WindowFrom = table.Column<DateTime>(type: "TEXT", nullable: false),
                    WindowTo = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ItemCount = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GiftSettlements",
                columns: table => new
                {
                    DonationId = table.Column<long>(type: "INTEGER", nullable: false),
                    CheckedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CheckedRefundedAmount = table.Column<long>(type: "INTEGER", nullable: false),
                    CheckedDisputeStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GiftSettlements", x => x.DonationId);
                    table.ForeignKey(
                        name: "FK_GiftSettlements_Donations_DonationId",
                        column: x => x.DonationId,
                        principalTable: "Donations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StripeBalanceTransactions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ReportingCategory = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SourceId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    DonationId = table.Column<long>(type: "INTEGER", nullable: true),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Fee = table.Column<long>(type: "INTEGER", nullable: false),
                    Net = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    ExchangeRate = table.Column<decimal>(type: "TEXT", precision: 18, scale: 9, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AvailableOn = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PayoutId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    FetchedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StripeBalanceTransactions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StripeBalanceTransactions_Donations_DonationId",
                        column: x => x.DonationId,
                        principalTable: "Donations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StripePayouts",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    ArrivalDate = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Automatic = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    TransactionsFetchedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StripePayouts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DriftItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReportId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StripeObject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    DonationId = table.Column<long>(type: "INTEGER", nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    ReplayedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DriftItems_DriftReports_ReportId",
                        column: x => x.ReportId,
                        principalTable: "DriftReports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DriftItems_ReportId",
                table: "DriftItems",
                column: "ReportId");

            migrationBuilder.CreateIndex(
                name: "IX_DriftReports_StartedAt",
                table: "DriftReports",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_GiftSettlements_NextAttemptAt",
                table: "GiftSettlements",
                column: "NextAttemptAt");

            migrationBuilder.CreateIndex(
                name: "IX_StripeBalanceTransactions_DonationId",
                table: "StripeBalanceTransactions",
                column: "DonationId");

            migrationBuilder.CreateIndex(
                name: "IX_StripeBalanceTransactions_PayoutId",
                table: "StripeBalanceTransactions",
                column: "PayoutId");

            migrationBuilder.CreateIndex(
                name: "IX_StripeBalanceTransactions_SourceId",
                table: "StripeBalanceTransactions",
                column: "SourceId");

            migrationBuilder.CreateIndex(
                name: "IX_StripePayouts_ArrivalDate",
                table: "StripePayouts",
                column: "ArrivalDate");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DriftItems");

            migrationBuilder.DropTable(
                name: "GiftSettlements");

            migrationBuilder.DropTable(
                name: "StripeBalanceTransactions");

            migrationBuilder.DropTable(
                name: "StripePayouts");

            migrationBuilder.DropTable(
                name: "DriftReports");
        }
    }
}
