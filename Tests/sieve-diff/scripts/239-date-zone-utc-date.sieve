require ["fileinto", "date"];
if date :zone "+0000" :is "date" "date" "2020-03-01" {
    fileinto "yes";
} else {
    fileinto "no";
}
