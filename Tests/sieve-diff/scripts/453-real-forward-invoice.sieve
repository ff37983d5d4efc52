require ["copy", "envelope", "subaddress", "fileinto"];
# Forward a copy of invoices, file receipts by plus-address
if header :contains "subject" ["invoice", "rechnung"] {
    redirect :copy "accounting@example.org";
}
if envelope :detail "to" "receipts" {
    fileinto "Receipts";
}
