using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class MembershipLapsedAtAndErasedEmailHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LapsedAt",
                table: "Memberships",
                type: "datetime2",
                nullable: true);

            // Gifts that lapsed before the column existed: the best date known then, as win-back used.
            migrationBuilder.Sql("""
                UPDATE [Memberships] SET [LapsedAt] = COALESCE([CanceledAt], [LastEventAt]) WHERE [Status] IN (N'canceled', N'unpaid', N'incomplete_expired');
                """);

            migrationBuilder.AddColumn<string>(
                name: "ErasedEmailHash",
                table: "Donors",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Donors_ErasedEmailHash",
                table: "Donors",
                column: "ErasedEmailHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Donors_ErasedEmailHash",
                table: "Donors");

            migrationBuilder.DropColumn(
                name: "LapsedAt",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "ErasedEmailHash",
                table: "Donors");
        }
    }
}
