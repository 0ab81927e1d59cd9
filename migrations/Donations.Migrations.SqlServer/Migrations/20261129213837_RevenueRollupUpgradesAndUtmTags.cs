using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class RevenueRollupUpgradesAndUtmTags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Donations_DonorId",
                table: "Donations");

            migrationBuilder.AddColumn<string>(
                name: "UtmContent",
                table: "Donations",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UtmMedium",
                table: "Donations",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UtmTerm",
                table: "Donations",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MembershipAmountChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    MembershipId = table.Column<long>(type: "bigint", nullable: false),
                    ChangedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    FromAmount = table.Column<long>(type: "bigint", nullable: true),
                    ToAmount = table.Column<long>(type: "bigint", nullable: false),
                    Interval = table.Column<string>(type: "nvarchar(8)", maxLength: 8, nullable: false),
                    Upgrade = table.Column<bool>(type: "bit", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MembershipAmountChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MembershipAmountChanges_Memberships_MembershipId",
                        column: x => x.MembershipId,
                        principalTable: "Memberships",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RevenueDays",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Currency = table.Column<string>(type: "nvarchar(3)", maxLength: 3, nullable: false),
                    Campaign = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Source = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Gifts = table.Column<int>(type: "int", nullable: false),
                    Net = table.Column<long>(type: "bigint", nullable: false),
                    QuidProQuo = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RevenueDays", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RevenueDaysToRecount",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Day = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RevenueDaysToRecount", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Donations_DonorId_ReceivedAt",
                table: "Donations",
                columns: new[] { "DonorId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MembershipAmountChanges_ChangedAt",
                table: "MembershipAmountChanges",
                column: "ChangedAt");

            migrationBuilder.CreateIndex(
                name: "IX_MembershipAmountChanges_MembershipId_Id",
                table: "MembershipAmountChanges",
                columns: new[] { "MembershipId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_RevenueDays_Day_Currency_Campaign_Source",
                table: "RevenueDays",
                columns: new[] { "Day", "Currency", "Campaign", "Source" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RevenueDaysToRecount_Day",
                table: "RevenueDaysToRecount",
                column: "Day");

            // The revenue rollup's "recount every day" mark (RevenueRollup.Everything): the first recount after this upgrade counts all history.
            migrationBuilder.InsertData(
                table: "RevenueDaysToRecount",
                column: "Day",
                value: new DateOnly(1, 1, 1));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MembershipAmountChanges");

            migrationBuilder.DropTable(
                name: "RevenueDays");

            migrationBuilder.DropTable(
                name: "RevenueDaysToRecount");

            migrationBuilder.DropIndex(
                name: "IX_Donations_DonorId_ReceivedAt",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "UtmContent",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "UtmMedium",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "UtmTerm",
                table: "Donations");

            migrationBuilder.CreateIndex(
                name: "IX_Donations_DonorId",
                table: "Donations",
                column: "DonorId");
        }
    }
}
