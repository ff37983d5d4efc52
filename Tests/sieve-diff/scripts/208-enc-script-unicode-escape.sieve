require ["fileinto", "encoded-character"];
if header :contains "Subject" "K${unicode:F6}ln" {
    fileinto "yes";
} else {
    fileinto "no";
}
