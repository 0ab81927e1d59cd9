using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RememberDelayedCheckouts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DelayedCheckouts",
                columns: table => new
                {
                    CheckoutSessionId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DelayedCheckouts", x => x.CheckoutSessionId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DelayedCheckouts");
        }
    }
}
