require ["fileinto", "body"];
if body :raw :contains "f=C3=BCr" {
    fileinto "yes";
} else {
    fileinto "no";
}
