require ["fileinto", "encoded-character"];
if header :contains "Subject" "K${hex:C3 B6}ln" {
    fileinto "yes";
} else {
    fileinto "no";
}
