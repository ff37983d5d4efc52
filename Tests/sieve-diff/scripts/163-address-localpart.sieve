require ["fileinto"];
if address :localpart "From" "ALICE" {
    fileinto "yes";
} else {
    fileinto "no";
}
