using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class DonorPortalGiftChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "BenefitsDeclined",
                table: "Memberships",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "CancellationReason",
                table: "Memberships",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FeeAmount",
                table: "Memberships",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Interval",
                table: "Memberships",
                type: "nvarchar(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "month");

            migrationBuilder.AddColumn<bool>(
                name: "Paused",
                table: "Memberships",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "PausedUntil",
                table: "Memberships",
                type: "datetime2",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "GiftChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    MembershipId = table.Column<long>(type: "bigint", nullable: false),
                    DonorId = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Summary = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Reason = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    RequestKey = table.Column<string>(type: "nvarchar(255)", maxLength: 255, nullable: false),
                    RequestedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    MessageId = table.Column<string>(type: "nvarchar(255)", maxLength: 255, nullable: false),
                    EmailSentAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GiftChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GiftChanges_Memberships_MembershipId",
                        column: x => x.MembershipId,
                        principalTable: "Memberships",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_GiftChanges_MembershipId",
                table: "GiftChanges",
                column: "MembershipId");

            migrationBuilder.CreateIndex(
                name: "IX_GiftChanges_RequestKey",
                table: "GiftChanges",
                column: "RequestKey",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GiftChanges");

            migrationBuilder.DropColumn(
                name: "BenefitsDeclined",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "CancellationReason",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "FeeAmount",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "Interval",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "Paused",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "PausedUntil",
                table: "Memberships");
        }
    }
}
