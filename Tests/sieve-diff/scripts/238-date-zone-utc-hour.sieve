require ["fileinto", "date"];
if date :zone "+0000" :is "date" "hour" "13" {
    fileinto "yes";
} else {
    fileinto "no";
}
