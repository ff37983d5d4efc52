require ["fileinto", "date", "relational"];
if currentdate :value "lt" "date" "2000-01-01" {
    fileinto "yes";
} else {
    fileinto "no";
}
