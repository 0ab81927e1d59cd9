using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class DonorCareAndPrivacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "CardCheckedFor",
                table: "Memberships",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StripeCancellationReason",
                table: "Memberships",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Purpose",
                table: "DonorSignInTokens",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "sign-in");

            migrationBuilder.AddColumn<string>(
                name: "StripeCustomerId",
                table: "DonorSignInTokens",
                type: "nvarchar(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ErasedAt",
                table: "Donors",
                type: "datetime2",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CardCheckedFor",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "StripeCancellationReason",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "Purpose",
                table: "DonorSignInTokens");

            migrationBuilder.DropColumn(
                name: "StripeCustomerId",
                table: "DonorSignInTokens");

            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Donors");
        }
    }
}
